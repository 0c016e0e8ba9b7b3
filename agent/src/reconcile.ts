// The reconcile loop: one pass at a time, triggered by endpoint changes, route/neighbour/link changes,
// a retry after a failed pass, and a periodic re-check (drift repair). Triggers that arrive during a
// pass coalesce into one more pass. Each pass:
//   configfs ready? → kernel features → next hop per endpoint → read our targets → plan → apply →
//   read back and verify → report status (→ canary when something was (re)configured).
import type { Logger } from 'pino';
import { applyPlan, removeTarget, type ActionOutcome } from './configfs/apply-targets.js';
import type { ConfigfsFs } from './configfs/configfs-fs.js';
import { describeFeatures, detectFeatures } from './configfs/detect-attributes.js';
import type { PrepareResult } from './configfs/prepare-configfs.js';
import { readTargets } from './configfs/read-targets.js';
import { describeNextHopError } from './next-hop/resolve-next-hop.js';
import { configuredAsSpec, isEnabled, planTargets, targetName } from './plan-targets.js';
import { panicRebootMessage } from './panic-reboot/assess-panic-reboot.js';
import {
  endpointKey,
  type AgentStatus,
  type CollectorEndpoint,
  type KernelFeatures,
  type NextHop,
  type NextHopError,
  type NextHopResult,
  type ObservedTarget,
  type PanicRebootCheck,
  type RateLimit,
  type SysdataSwitch,
  type TargetSpec,
} from './types.js';
import { join } from 'node:path';

export interface ReconcilerDeps {
  fs: ConfigfsFs;
  prefix: string;
  nodeName: string;
  logger: Logger;
  prepare(): Promise<PrepareResult>;
  resolveNextHop(address: string): Promise<NextHopResult>;
  recheckIntervalMs: number;
  /** Delay before retrying after a pass that left something unconfigured, ms. */
  retryMs: number;
  onStatus(status: AgentStatus): void;
  onOutcomes(outcomes: ActionOutcome[]): void;
  onPass(result: 'ok' | 'error', durationMs: number): void;
  /** Called after a pass that created or repaired at least one target. */
  onReconfigured(): void;
  /** Sysdata switches wanted on (those the kernel lacks are left out). Default none. */
  sysdata?: readonly SysdataSwitch[];
  /** Per-target rate limit written where the kernel has one; null/absent: the kernel's default. */
  ratelimit?: RateLimit | null;
  /** Whether the kernel will send its panic (nbcon + kernel.panic); run after every pass that armed a target. */
  checkPanicReboot?: () => Promise<PanicRebootCheck>;
}

export interface Reconciler {
  /** The discovered endpoints; `null` until discovery has listed once. */
  setEndpoints(endpoints: CollectorEndpoint[]): void;
  trigger(why: string): void;
  currentHops(): NextHop[];
  status(): AgentStatus;
  /** Resolves when no pass is running or pending. */
  idle(): Promise<void>;
  /** Stops timers and waits for a running pass; targets are left as they are. */
  stop(): Promise<void>;
  /** Removes every one of our targets (uninstall). Call after stop(). */
  removeAll(): Promise<string[]>;
}

interface SpecOptions {
  node: string;
  sysdata: readonly SysdataSwitch[];
  ratelimit: RateLimit | null;
}

function specsFor(endpoints: CollectorEndpoint[], results: NextHopResult[], features: KernelFeatures, o: SpecOptions) {
  const desired: TargetSpec[] = [];
  const unresolved: { endpoint: CollectorEndpoint; error: NextHopError }[] = [];
  const hops: NextHop[] = [];
  endpoints.forEach((endpoint, i) => {
    const result = results[i];
    if (result === undefined) return;
    if (!result.ok) {
      unresolved.push({ endpoint, error: result.error });
      return;
    }
    hops.push(result.hop);
    desired.push({
      endpoint,
      devName: result.hop.device,
      localIp: result.hop.localIp,
      remoteMac: result.hop.mac,
      extended: features.extended,
      release: features.release,
      userdataNode: features.userdata ? o.node : null,
      sysdata: features.sysdata.filter((s) => o.sysdata.includes(s)),
      ratelimit: features.ratelimit ? o.ratelimit : null,
    });
  });
  return { desired, unresolved, hops };
}

/** Endpoints whose desired target is enabled and reads back exactly as specified. */
export function verifiedEndpoints(desired: readonly TargetSpec[], observed: readonly ObservedTarget[], prefix: string): CollectorEndpoint[] {
  const byName = new Map(observed.map((t) => [t.name, t]));
  return desired
    .filter((spec) => {
      const target = byName.get(targetName(prefix, spec));
      return target !== undefined && isEnabled(target) && configuredAsSpec(target, spec);
    })
    .map((spec) => spec.endpoint);
}

function statusOf(input: {
  features: KernelFeatures;
  verified: CollectorEndpoint[];
  unresolved: { endpoint: CollectorEndpoint; error: NextHopError }[];
  failures: ActionOutcome[];
  panicReboot: PanicRebootCheck | null;
}): AgentStatus {
  const problems = [
    ...input.unresolved.map((u) => describeNextHopError(u.error)),
    ...input.failures.map((f) => f.error?.message ?? f.action.name),
  ];
  const notes = problems.length === 0 ? '' : `; not configured: ${problems.join('; ')}`;
  const base = { verified: input.verified, features: input.features, panicReboot: input.panicReboot };
  if (input.verified.length > 0) {
    const armed = `netconsole → ${input.verified.map(endpointKey).join(', ')} (${describeFeatures(input.features)})`;
    const check = input.panicReboot;
    if (check !== null && !check.sendsPanic) {
      return { ...base, ready: false, reason: 'PanicRebootSuppressesLastGasp', message: `${panicRebootMessage(check)}; ${armed}${notes}` };
    }
    const applied = check?.remedy === 'applied' ? `; ${check.detail}` : '';
    return { ...base, ready: true, reason: 'TargetsConfigured', message: `${armed}${applied}${notes}` };
  }
  if (input.unresolved.length > 0 && input.failures.length === 0) {
    return { ...base, ready: false, reason: 'NeighborUnresolved', message: problems.join('; ') };
  }
  return { ...base, ready: false, reason: 'TargetsNotEnabled', message: problems.join('; ') || 'no target verified' };
}

export function createReconciler(deps: ReconcilerDeps): Reconciler {
  const probeName = `${deps.prefix}-probe`;
  let endpoints: CollectorEndpoint[] | null = null;
  let dir: string | null = null;
  let features: KernelFeatures | null = null;
  let hops: NextHop[] = [];
  let status: AgentStatus = { ready: false, reason: 'EndpointsUnknown', message: 'collector endpoints not listed yet', verified: [], features: null };
  let pending = false;
  let running: Promise<void> | null = null;
  let timer: NodeJS.Timeout | null = null;
  let stopped = false;

  const report = (next: AgentStatus) => {
    status = next;
    deps.onStatus(next);
  };
  const unavailable = (message: string) => {
    dir = null;
    features = null;
    report({ ready: false, reason: 'ConfigfsUnavailable', message, verified: [], features: null });
    return false;
  };

  /** Returns whether everything wanted is configured (false → retry soon). */
  const pass = async (): Promise<boolean> => {
    if (dir === null) {
      const prepared = await deps.prepare();
      if (!prepared.ok) return unavailable(prepared.detail);
      dir = prepared.dir;
    }
    if (features === null) {
      try {
        features = await detectFeatures(deps.fs, dir, probeName);
        deps.logger.info({ attributes: features.attributes, using: describeFeatures(features) }, 'netconsole attributes detected');
      } catch (err) {
        return unavailable(`cannot create a target in ${dir}: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    if (endpoints === null) return true;
    if (endpoints.length === 0) {
      // Targets stay: collectors restarting on the same host addresses are reachable again at once.
      report({ ready: false, reason: 'NoCollectorEndpoints', message: 'the collector Service has no ready endpoints', verified: [], features });
      return true;
    }
    const wanted = endpoints;
    const results = await Promise.all(wanted.map((e) => deps.resolveNextHop(e.address)));
    const specOptions = { node: deps.nodeName, sysdata: deps.sysdata ?? [], ratelimit: deps.ratelimit ?? null };
    const { desired, unresolved, hops: resolvedHops } = specsFor(wanted, results, features, specOptions);
    hops = resolvedHops;
    const observed = await readTargets(deps.fs, dir, deps.prefix, probeName);
    const plan = planTargets({ prefix: deps.prefix, desired, unresolved: unresolved.map((u) => u.endpoint), observed });
    const outcomes = await applyPlan(deps.fs, dir, plan);
    deps.onOutcomes(outcomes);
    const failures = outcomes.filter((o) => o.result === 'failed');
    for (const failure of failures) deps.logger.warn({ err: failure.error, action: failure.action.kind }, 'target action failed');
    const after = await readTargets(deps.fs, dir, deps.prefix, probeName);
    const verified = verifiedEndpoints(desired, after, deps.prefix);
    // Only a registered netconsole console shows whether it is nbcon: check once a target is armed.
    const panicReboot = verified.length > 0 && deps.checkPanicReboot !== undefined ? await deps.checkPanicReboot() : null;
    report(statusOf({ features, verified, unresolved, failures, panicReboot }));
    if (outcomes.some((o) => o.result === 'ok' && o.action.kind !== 'remove')) deps.onReconfigured();
    return failures.length === 0 && unresolved.length === 0;
  };

  const schedule = (ms: number) => {
    if (timer !== null) clearTimeout(timer);
    if (!stopped) timer = setTimeout(() => reconciler.trigger('periodic re-check'), ms);
  };

  const loop = async () => {
    while (pending && !stopped) {
      pending = false;
      const started = performance.now();
      let complete = false;
      try {
        complete = await pass();
        deps.onPass(complete ? 'ok' : 'error', performance.now() - started);
      } catch (err) {
        deps.logger.error({ err }, 'reconcile pass failed');
        deps.onPass('error', performance.now() - started);
        // An I/O error on configfs: prepare and detect again next time.
        dir = null;
        features = null;
      }
      schedule(complete ? deps.recheckIntervalMs : Math.min(deps.retryMs, deps.recheckIntervalMs));
    }
    running = null;
  };

  const reconciler: Reconciler = {
    setEndpoints(next) {
      endpoints = next;
      reconciler.trigger('collector endpoints changed');
    },
    trigger(why) {
      if (stopped) return;
      deps.logger.debug({ why }, 'reconcile triggered');
      pending = true;
      running ??= loop();
    },
    currentHops: () => hops,
    status: () => status,
    async idle() {
      while (running !== null) await running;
    },
    async stop() {
      stopped = true;
      if (timer !== null) clearTimeout(timer);
      await reconciler.idle();
    },
    async removeAll() {
      const prepared = dir ?? (await deps.prepare().then((p) => (p.ok ? p.dir : null)));
      if (prepared === null) return [];
      const removed: string[] = [];
      for (const target of await readTargets(deps.fs, prepared, deps.prefix, probeName)) {
        await removeTarget(deps.fs, join(prepared, target.name), target.name);
        removed.push(target.name);
      }
      return removed;
    },
  };
  return reconciler;
}
