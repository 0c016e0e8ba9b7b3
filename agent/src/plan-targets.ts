// Pure planning: desired target specs + what configfs holds now → the actions that get from one to
// the other, make-before-break (every create/repair comes before every remove).
import { createHash } from 'node:crypto';
import { canonicalIp } from './discover/parse-endpoint.js';
import { endpointKey, type CollectorEndpoint, type ObservedTarget, type SysdataSwitch, type TargetSpec } from './types.js';

export type TargetAction =
  | { kind: 'create'; name: string; spec: TargetSpec }
  /** A target with the desired name exists but differs (someone changed or disabled it). */
  | { kind: 'repair'; name: string; spec: TargetSpec }
  /** `replacedBy`: the endpoint whose new target supersedes this one; keep this one if that failed. */
  | { kind: 'remove'; name: string; replacedBy: string | null };

export interface Plan {
  /** Targets already exactly as desired. */
  keep: string[];
  /** Targets for endpoints whose next hop could not be resolved now; kept as they are. */
  retain: string[];
  actions: TargetAction[];
}

/**
 * Deterministic name from the complete spec, so a changed spec gets a new target (created and enabled
 * before the old one is removed) and an unchanged spec always maps to the same directory.
 */
export function targetName(prefix: string, spec: TargetSpec): string {
  const identity = JSON.stringify([
    spec.endpoint.address,
    spec.endpoint.port,
    spec.devName,
    spec.localIp,
    spec.remoteMac,
    spec.extended,
    spec.release,
    spec.userdataNode,
    spec.sysdata,
    spec.ratelimit,
  ]);
  return `${prefix}-${createHash('sha256').update(identity).digest('hex').slice(0, 12)}`;
}

/** Attribute writes in kernel-safe order (`release` needs `extended` first); `enabled` is not included. */
export function desiredAttributes(spec: TargetSpec): [string, string][] {
  const writes: [string, string][] = [
    ['dev_name', spec.devName],
    ['local_ip', spec.localIp],
    ['remote_ip', spec.endpoint.address],
    ['remote_port', String(spec.endpoint.port)],
    ['remote_mac', spec.remoteMac],
  ];
  if (spec.extended) writes.push(['extended', '1']);
  if (spec.release) writes.push(['release', '1']);
  if (spec.ratelimit !== null) {
    writes.push(['ratelimit_interval_ms', String(spec.ratelimit.intervalMs)], ['ratelimit_burst', String(spec.ratelimit.burst)]);
  }
  return writes;
}

/** Sysdata switch writes (`userdata/<name>_enabled`): every switch the kernel has, on or off as wanted. */
export function desiredSysdata(spec: TargetSpec, available: readonly SysdataSwitch[]): [SysdataSwitch, string][] {
  return available.map((s) => [s, spec.sysdata.includes(s) ? '1' : '0']);
}

/** Compares one read-back value with the written one, as the kernel prints it. */
export function sameAttribute(attribute: string, actual: string | undefined, expected: string): boolean {
  if (actual === undefined) return false;
  switch (attribute) {
    case 'local_ip':
    case 'remote_ip':
      return canonicalIp(actual) === canonicalIp(expected);
    case 'remote_mac':
      return actual.toLowerCase() === expected.toLowerCase();
    case 'remote_port':
      return Number(actual) === Number(expected);
    default:
      return actual === expected;
  }
}

/** Every desired attribute and userdata value as wanted; `enabled` is checked separately. */
export function configuredAsSpec(target: ObservedTarget, spec: TargetSpec): boolean {
  const attributesMatch = desiredAttributes(spec).every(([a, v]) => sameAttribute(a, target.attributes[a], v));
  // Switches wanted on must read 1 (switches the kernel lacks never get into a spec).
  const sysdataMatch = spec.sysdata.every((s) => target.sysdata[s] === '1');
  return attributesMatch && sysdataMatch && (spec.userdataNode === null || target.userdata.node === spec.userdataNode);
}

export function isEnabled(target: ObservedTarget): boolean {
  return target.attributes.enabled === '1';
}

/** The endpoint a target points at, from its read-back attributes; null when unreadable. */
export function observedEndpoint(target: ObservedTarget): CollectorEndpoint | null {
  const address = canonicalIp(target.attributes.remote_ip ?? '');
  const port = Number(target.attributes.remote_port);
  return address === null || !Number.isInteger(port) ? null : { address, port };
}

export interface PlanInput {
  prefix: string;
  desired: readonly TargetSpec[];
  /** Endpoints still wanted whose next hop is unknown right now: their existing targets are kept. */
  unresolved: readonly CollectorEndpoint[];
  observed: readonly ObservedTarget[];
}

export function planTargets(input: PlanInput): Plan {
  const observedByName = new Map(input.observed.map((t) => [t.name, t]));
  const wantedNames = new Set<string>();
  const desiredKeys = new Set(input.desired.map((s) => endpointKey(s.endpoint)));
  const unresolvedKeys = new Set(input.unresolved.map(endpointKey));
  const keep: string[] = [];
  const retain: string[] = [];
  const changes: TargetAction[] = [];
  const removals: TargetAction[] = [];

  for (const spec of input.desired) {
    const name = targetName(input.prefix, spec);
    if (wantedNames.has(name)) continue;
    wantedNames.add(name);
    const current = observedByName.get(name);
    if (current === undefined) changes.push({ kind: 'create', name, spec });
    else if (isEnabled(current) && configuredAsSpec(current, spec)) keep.push(name);
    else changes.push({ kind: 'repair', name, spec });
  }
  for (const target of input.observed) {
    if (wantedNames.has(target.name)) continue;
    const endpoint = observedEndpoint(target);
    const key = endpoint === null ? null : endpointKey(endpoint);
    if (key !== null && unresolvedKeys.has(key)) retain.push(target.name);
    else removals.push({ kind: 'remove', name: target.name, replacedBy: key !== null && desiredKeys.has(key) ? key : null });
  }
  return { keep, retain, actions: [...changes, ...removals] };
}
