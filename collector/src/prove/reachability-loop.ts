// The edge of the reachability self-check: a timer that asks the ReachabilityCheck which Ready nodes to
// probe, probes each once (one TCP connect per address, the same probe proof of death uses) and records
// whether it answered. All decisions are in reachability-check.ts; this only runs them.
import type { DeathVerdict } from './death-verdict.js';
import { probeNode } from './probe-node.js';
import type { ProbeTarget } from './probe-target.js';
import type { ReachabilityCheck } from './reachability-check.js';

export interface ReachabilityLoopOptions {
  check: ReachabilityCheck;
  /** The Ready nodes' probe targets now (e.g. from the Node informer). */
  readyTargets: () => readonly ProbeTarget[];
  /** How long one check waits for an answer, ms. */
  attemptTimeoutMs: number;
  /** How often to plan, ms (e.g. 1000 / maxChecksPerSecond, at least 100). */
  tickMs: number;
  /** Clock, ms epoch. Default Date.now. */
  now?: () => number;
  /** Probe stand-in for tests; default: probeNode with a single attempt and no window. */
  probe?: (target: ProbeTarget, signal: AbortSignal) => Promise<DeathVerdict>;
  /** Called after each recorded check (logs, metrics). */
  onChecked?: (target: ProbeTarget, verdict: DeathVerdict) => void;
  /** A tick or an onChecked call threw; the loop goes on. */
  onError: (err: unknown) => void;
}

export interface ReachabilityLoop {
  /** Stops planning, aborts checks in flight and resolves when they have ended. */
  stop(): Promise<void>;
}

export function startReachabilityLoop(opts: ReachabilityLoopOptions): ReachabilityLoop {
  const now = opts.now ?? Date.now;
  const stopping = new AbortController();
  const inFlight = new Set<Promise<void>>();
  const probe =
    opts.probe ??
    ((target: ProbeTarget, signal: AbortSignal) =>
      probeNode({ addresses: target.addresses, port: target.port, attempts: 1, windowMs: 0, attemptTimeoutMs: opts.attemptTimeoutMs, answersCountAfter: now(), now, signal }));

  const checkOne = async (target: ProbeTarget): Promise<void> => {
    const sentAt = now();
    let verdict: DeathVerdict;
    try {
      verdict = await probe(target, stopping.signal);
    } catch (err) {
      if (stopping.signal.aborted) return;
      verdict = { verdict: 'inconclusive', summary: `the check failed: ${err instanceof Error ? err.message : String(err)}`, attempts: [] };
    }
    const answered = verdict.verdict === 'alive';
    opts.check.record(target.node, answered ? { answered, sentAt } : { answered, sentAt, detail: verdict.summary });
    try {
      opts.onChecked?.(target, verdict);
    } catch (err) {
      opts.onError(err);
    }
  };

  const tick = (): void => {
    try {
      const targets = new Map(opts.readyTargets().map((t) => [t.node, t]));
      for (const node of opts.check.plan([...targets.keys()], now())) {
        const target = targets.get(node);
        if (target === undefined) continue;
        const running = checkOne(target).finally(() => inFlight.delete(running));
        inFlight.add(running);
      }
    } catch (err) {
      opts.onError(err);
    }
  };

  const timer = setInterval(tick, opts.tickMs);
  timer.unref();
  tick();
  return {
    async stop() {
      clearInterval(timer);
      stopping.abort();
      await Promise.allSettled([...inFlight]);
    },
  };
}
