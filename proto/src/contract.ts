// The wire contract: what the agent, the collector and the people and tools reading the cluster agree
// on outside the gRPC API. The agent writes the canary and the collector recognises it; the collector
// writes reason codes and annotations that Jobs, dashboards and operators match on. Both images carry
// this module (`@lastgasp/proto/contract`); it imports nothing, so the agent loads no gRPC code with it.
// Changing a value here changes the protocol.

/**
 * The agent's netconsole path check. The agent writes this line to /dev/kmsg (so it arrives with the
 * user facility and is never an incident); the collector records per host when it last arrived.
 * Format: `lastgasp: netconsole path check node=<node> seq=<counter>[ panic-line=<sent|suppressed>]`.
 * `panic-line`: whether this kernel will send its panic at all (`suppressed`: an nbcon netconsole with
 * kernel.panic ≠ 0 reboots before the panic leaves); absent before the agent could tell.
 */
export const CANARY_PREFIX = 'lastgasp: netconsole path check';

export const PANIC_LINE_STATES = ['sent', 'suppressed'] as const;
export type PanicLineState = (typeof PANIC_LINE_STATES)[number];

export function formatCanary(node: string, counter: number, panicLine: PanicLineState | null = null): string {
  const state = panicLine === null ? '' : ` panic-line=${panicLine}`;
  return `${CANARY_PREFIX} node=${node} seq=${counter}${state}`;
}

/** Reason codes, exactly these names (they appear in annotations, conditions, Events and the API). */
export const REASON_CODES = [
  'KernelPanic',
  'KernelOops',
  'KernelBug',
  'HardLockup',
  'SoftLockup',
  'TaskHung',
  'RCUStall',
  'OOMKilling',
  'MachineCheck',
  'KernelWarning',
] as const;
export type ReasonCode = (typeof REASON_CODES)[number];

export function isReasonCode(value: unknown): value is ReasonCode {
  return typeof value === 'string' && (REASON_CODES as readonly string[]).includes(value);
}

/** The prefix of the annotations the collector writes and reads unless configured otherwise (`policy.annotationPrefix`). */
export const DEFAULT_ANNOTATION_PREFIX = 'lastgasp.dev';

/**
 * The annotations, as `<prefix>/<name>`. On a remediated Node and each of its pods: `termination-reason`
 * (one sentence: what happened, where, the kernel's line), `terminated-by` (the collector's identity),
 * `reason-code` (a reason code) and `incident` (the NodeIncident's name). On a held NodeIncident, an
 * operator sets `release` to "true" to let its remediation go ahead.
 */
export const ANNOTATION_NAMES = ['termination-reason', 'terminated-by', 'reason-code', 'incident', 'release'] as const;
export type AnnotationName = (typeof ANNOTATION_NAMES)[number];

export function annotationKey(prefix: string, name: AnnotationName): string {
  return `${prefix}/${name}`;
}
