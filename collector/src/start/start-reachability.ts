// The reachability self-check: a probe is only proof of death if live nodes answer it. Every Ready Node
// is probed now and then with the proof-of-death probe (one connect); a node whose probe port never
// answered cannot be proven dead by silence, so its incidents fall back to Kubernetes' own view. Nodes
// that do not answer are reported loudly: a metric and a warning naming them (a firewall between the
// collector and the nodes' kubelet port makes every live node look dead). With the probe off nothing is
// probed: the check stays empty.
import type { Logger } from 'pino';
import { Gauge, type Registry } from 'prom-client';
import type { ProofOfDeath } from '../config/config.js';
import { createReachabilityCheck, type ReachabilityCheck } from '../prove/reachability-check.js';
import { startReachabilityLoop } from '../prove/reachability-loop.js';
import type { ProbeTarget } from '../prove/probe-target.js';
import type { NodeIndex } from '../resolve/node-index.js';
import type { Stops } from './stops.js';

/** A node silent for the self-check is named in the log at most this often, ms. */
const SILENT_LOG_INTERVAL_MS = 300_000;

export function startReachability(parts: {
  proof: ProofOfDeath;
  index: NodeIndex;
  registry: Registry;
  now: () => number;
  logger: Logger;
  stops: Stops;
}): ReachabilityCheck {
  const { proof, index, now, logger } = parts;
  const check = createReachabilityCheck({
    recheckMs: proof.selfCheckIntervalMs,
    answerMaxAgeMs: 2 * proof.selfCheckIntervalMs,
    maxChecksPerSecond: proof.selfCheckPerSecond,
    maxBatch: proof.selfCheckPerSecond,
  });
  const readyTargets = (): ProbeTarget[] => {
    const out: ProbeTarget[] = [];
    for (const name of index.names()) {
      const info = index.get(name);
      if (info?.ready === true) out.push(proof.port === null ? info.probe : { ...info.probe, port: proof.port });
    }
    return out;
  };
  new Gauge({
    name: 'lastgasp_reachability_nodes',
    help: 'Ready nodes by their latest proof-of-death self-check: answering (provable), silent (not provable: a firewall?), unchecked.',
    labelNames: ['state'],
    registers: [parts.registry],
    collect() {
      const s = check.summary(now());
      this.set({ state: 'answering' }, s.answering);
      this.set({ state: 'silent' }, s.silent);
      this.set({ state: 'unchecked' }, Math.max(0, s.ready - s.checked));
    },
  });
  if (!proof.enabled) return check;
  let loggedSilentAt = Number.NEGATIVE_INFINITY;
  const loop = startReachabilityLoop({
    check,
    readyTargets,
    attemptTimeoutMs: Math.max(proof.attemptTimeoutMs, 1000),
    tickMs: Math.max(100, Math.floor(1000 / proof.selfCheckPerSecond)),
    now,
    onChecked: (target, verdict) => {
      if (verdict.verdict === 'alive' || now() - loggedSilentAt < SILENT_LOG_INTERVAL_MS) return;
      loggedSilentAt = now();
      logger.warn(
        { node: target.node, detail: verdict.summary, silentNodes: check.summary(now()).silentNodes },
        'a Ready node did not answer the reachability self-check: proof of death cannot prove it dead (open its probe port, by default the kubelet port, to the collector)',
      );
    },
    onError: (err) => logger.warn({ err }, 'reachability self-check failed'),
  });
  parts.stops.add(() => loop.stop());
  return check;
}
