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
import type { EventCounters } from './event-counters.js';

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
}): Remediator {
  const { api, config, index, now } = parts;
  const policy = config.policy;
  return createRemediator({
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
