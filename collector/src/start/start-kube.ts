// The Kubernetes half of the collector, started only outside standalone mode: the Node cache, remediation,
// the non-fatal reports, the NodeIncident watch and its retention (the leader's remediator reads it; a follower mirrors it), the warm API
// connections and leader election, which starts last because becoming leader uses all the others.
import type { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { CollectorConfig } from '../config/config.js';
import { startKeepWarm } from '../kube/keep-warm.js';
import type { RestartingInformer } from '../kube/restarting-informer.js';
import { createKubeLeaseStore } from '../leader/lease-store.js';
import { startLeaderElection, type LeaderElector } from '../leader/lease-elector.js';
import { startIncidentWatch, type IncidentWatch } from '../record/incident-watch.js';
import type { RemediationProgress } from '../record/remediation-steps.js';
import { createKubeClusterApi } from '../remediate/kube-cluster-api.js';
import { MAX_POD_CONCURRENCY } from '../remediate/pod-steps.js';
import type { Remediator } from '../remediate/remediator.js';
import type { NodeIndex } from '../resolve/node-index.js';
import { startNodeInformer } from '../resolve/node-informer.js';
import type { ReachabilityCheck } from '../prove/reachability-check.js';
import type { EventCounters } from './event-counters.js';
import type { Registry } from 'prom-client';
import { startReachability } from './start-reachability.js';
import { startRemediation } from './start-remediation.js';
import { startNonFatalReports, type NonFatalReports } from './start-reports.js';
import { startRetention } from './start-retention.js';
import type { Stops } from './stops.js';

/** Under kube-apiserver's 90 s idle timeout, so the warm connections are never closed. */
const KEEP_WARM_INTERVAL_MS = 45_000;

export interface KubeParts {
  remediator: Remediator;
  nodeInformer: RestartingInformer;
  incidentWatch: IncidentWatch;
  elector: LeaderElector;
  /** The proof-of-death self-check; null when the probe is off. */
  reachability: ReachabilityCheck | null;
  /** Non-fatal incidents: Event series and optional records. */
  reports: NonFatalReports;
}

export function startKube(parts: {
  kc: KubeConfig;
  config: CollectorConfig;
  /** Filled by the Node informer. */
  index: NodeIndex;
  events: EventCounters;
  progress: RemediationProgress;
  /** A NodeIncident changed while this replica follows. */
  followLeader: (record: unknown) => void;
  now: () => number;
  logger: Logger;
  stops: Stops;
  /** Where the reachability self-check's gauge is registered. */
  registry: Registry;
  /** A node answered after its reported panic (from `source`). */
  onNodeAnswered: (source: string) => void;
}): KubeParts {
  const { kc, config, index, events, now, logger, stops } = parts;
  const api = createKubeClusterApi(kc, config.identity);
  let elector: LeaderElector | null = null;
  const isLeader = (): boolean => elector?.isLeader() ?? false;

  const reachability = startReachability({ proof: config.policy.proofOfDeath, index, registry: parts.registry, now, logger, stops });
  const remediator = startRemediation({ api, config, index, events, progress: parts.progress, isLeader, now, logger, reachability, onNodeAnswered: parts.onNodeAnswered, stops });
  stops.add(() => remediator.stop());
  const reports = startNonFatalReports({ config, api, remediator, isLeader, events, now, logger, stops });

  const silenceMs = config.nodeWatchSilenceSeconds * 1000;
  const onRestart = (informer: string) => (reason: 'error' | 'silence') => events.watchRestarted(informer, reason);
  const nodeInformer = startNodeInformer({ kubeConfig: kc, index, silenceMs, logger, onRestart: onRestart('nodes') });
  stops.add(() => nodeInformer.stop());
  const incidentWatch = startIncidentWatch({
    kubeConfig: kc,
    silenceMs,
    logger,
    onChange: (obj) => {
      if (isLeader()) remediator.recordChanged(obj);
      else parts.followLeader(obj);
    },
    onRestart: onRestart('nodeincidents'),
  });
  stops.add(() => incidentWatch.stop());

  const keepWarm = startKeepWarm({
    connections: MAX_POD_CONCURRENCY,
    intervalMs: KEEP_WARM_INTERVAL_MS,
    ping: () => api.ping(),
    isLeader,
    onError: (err) => logger.debug({ err }, 'keeping API connections warm failed'),
  });
  stops.add(() => keepWarm.stop());

  const retention = startRetention({
    config,
    api,
    records: () => incidentWatch.list(),
    isLeader,
    now,
    logger,
    onDeleted: () => events.recordDeleted(),
  });
  stops.add(() => retention.stop());

  const leader = startLeaderElection({
    store: createKubeLeaseStore(kc, config.leaseNamespace, config.leaseName),
    identity: config.identity,
    timings: config.leaderElection,
    now,
    logger,
    onStartedLeading: () => {
      // The records list must be current before open ones are finished. The connections are warmed
      // after that, so their handshakes do not delay the first lists.
      void Promise.all([incidentWatch.synced, nodeInformer.synced]).then(() => {
        if (isLeader()) remediator.leadershipGained(incidentWatch.list());
        if (isLeader()) void keepWarm.warm();
        if (isLeader()) void retention.pass();
      });
    },
    onStoppedLeading: () => remediator.leadershipLost(),
  });
  elector = leader;
  stops.add(() => leader.stop());
  return { remediator, nodeInformer, incidentWatch, elector: leader, reachability: config.policy.proofOfDeath.enabled ? reachability : null, reports };
}
