// Remediation on this replica: the remediator and everything it acts with — the Kubernetes calls, the
// policy with its exclusion selector and storm guard, the Node cache as its view of the cluster, the wait
// for a node to look dead (confirm mode) — and where it reports: the event counters and the history.
import { setTimeout as delay } from 'node:timers/promises';
import type { Logger } from 'pino';
import type { CollectorConfig } from '../config/config.js';
import { parseLabelSelector } from '../config/label-selector.js';
import type { RemediationProgress } from '../record/remediation-steps.js';
import type { ClusterApi } from '../remediate/cluster-api.js';
import { waitUntilDead } from '../remediate/confirm-dead.js';
import { createRemediator, type Remediator } from '../remediate/remediator.js';
import { createStormGuard } from '../remediate/storm-guard.js';
import type { NodeIndex } from '../resolve/node-index.js';
import { createDeathProofs } from '../prove/death-proofs.js';
import { probeNode } from '../prove/probe-node.js';
import type { ReachabilityCheck } from '../prove/reachability-check.js';
import type { EventCounters } from './event-counters.js';
import type { Stops } from './stops.js';

/** How often confirm mode asks whether the node looks dead, ms. */
const CONFIRM_POLL_MS = 1000;

/** Waits `ms`; an abort rejects with the signal's reason (NotLeaderError when the term ends), as remediation expects. */
async function sleep(ms: number, signal: AbortSignal): Promise<void> {
  try {
    await delay(ms, undefined, { signal });
  } catch (err) {
    signal.throwIfAborted();
    throw err;
  }
}

export function startRemediation(parts: {
  api: ClusterApi;
  config: CollectorConfig;
  index: NodeIndex;
  events: EventCounters;
  progress: RemediationProgress;
  isLeader: () => boolean;
  now: () => number;
  logger: Logger;
  /** The reachability self-check (start-reachability.ts): whether silence can prove a node dead. */
  reachability: ReachabilityCheck;
  /** A node answered after its reported panic (from `source`): the receive path re-arms that host. */
  onNodeAnswered: (source: string) => void;
  stops: Stops;
}): Remediator {
  const { api, config, index, now } = parts;
  const policy = config.policy;
  const proof = policy.proofOfDeath;
  const proofs = createDeathProofs({
    settings: { port: proof.port, attempts: proof.attempts, windowMs: proof.windowMs, attemptTimeoutMs: proof.attemptTimeoutMs, settleMs: proof.settleMs },
    target: (node, port) => {
      const info = index.get(node);
      return info === undefined ? null : { ...info.probe, port: port ?? info.probe.port };
    },
    provability: (node, at) => parts.reachability.provability(node, at),
    probe: probeNode,
    now,
    keepMs: config.takeoverWindowSeconds * 1000,
    onAlive: (req) => parts.onNodeAnswered(req.source),
    onError: (name, err) => parts.logger.warn({ record: name, err }, 'proof-of-death probe failed'),
  });
  parts.stops.add(() => proofs.stop());
  return createRemediator({
    proofs,
    isLeader: parts.isLeader,
    takeoverWindowMs: config.takeoverWindowSeconds * 1000,
    logger: parts.logger,
    context: {
      api,
      policy,
      exclude: parseLabelSelector(policy.excludeNodeSelector),
      storm: createStormGuard(policy.storm),
      cluster: {
        readyCount: () => index.readyCount(),
        isReady: (node) => index.get(node)?.ready ?? false,
        labelsOf: (node) => index.get(node)?.labels ?? null,
      },
      confirmDead: (node, signal) =>
        waitUntilDead({
          probe: () => api.nodeLiveness(node),
          now,
          sleep,
          timeoutMs: policy.confirmTimeoutSeconds * 1000,
          staleMs: policy.confirmLeaseStaleSeconds * 1000,
          pollMs: CONFIRM_POLL_MS,
          signal,
        }),
      identity: config.identity,
      now,
      observer: parts.events.remediation,
      progress: parts.progress,
    },
  });
}
