// Where the pipeline's incident events go: into the history and the event counters (a non-fatal one
// only while its sender is within its rate limit), and with Kubernetes to node resolution, the
// remediator (fatal) and the non-fatal reports (Event series, optional records). The pipeline starts before Kubernetes (data-flow order), so the
// remediator and the Node cache are attached once started; until the cache has synced the router holds
// events back (resolve/incident-router.ts).
import type { Logger } from 'pino';
import type { IncidentHistory } from '../api/index.js';
import type { CollectorConfig } from '../config/config.js';
import type { RestartingInformer } from '../kube/restarting-informer.js';
import type { Remediator } from '../remediate/remediator.js';
import { createIncidentRouter } from '../resolve/incident-router.js';
import type { NodeIndex } from '../resolve/node-index.js';
import { createNodeResolver } from '../resolve/resolve-node.js';
import type { IncidentEvent } from '../types.js';
import { createTokenBuckets } from '../token-buckets.js';
import type { EventCounters } from './event-counters.js';
import type { NonFatalReports } from './start-reports.js';

export interface IncidentRouting {
  route: (event: IncidentEvent) => void;
  /**
   * Kubernetes has started: fatal incidents go to `remediator`, non-fatal ones to `reports`; resolution
   * starts once `nodes` has synced.
   */
  attach(remediator: Remediator, reports: NonFatalReports, nodes: RestartingInformer): void;
}

export function routeIncidents(parts: {
  /** Incidents are only recorded: no resolution, no remediation. */
  standalone: boolean;
  config: CollectorConfig;
  index: NodeIndex;
  history: IncidentHistory;
  events: EventCounters;
  now: () => number;
  logger: Logger;
}): IncidentRouting {
  const { config, index, history, events, now } = parts;
  const nonFatal = config.policy.nonFatal;
  let remediator: Remediator | null = null;
  let reports: NonFatalReports | null = null;
  let nodes: RestartingInformer | null = null;
  let nodesSynced: () => void = () => undefined;
  const synced = new Promise<void>((resolve) => (nodesSynced = resolve));

  const route = createIncidentRouter({
    resolver: parts.standalone ? null : createNodeResolver({ index, logIntervalMs: config.unknownSourceLogIntervalSeconds * 1000 }),
    now,
    logger: parts.logger,
    onRecorded: (event, node, rejected, quiet) => {
      if (event.type === 'opened') events.incidentOpened(event.incident);
      if (quiet) {
        if (event.type === 'opened') events.rateLimited('source');
        return;
      }
      history.recordIncidentEvent(event, now(), rejected ? { node: null, phase: 'unresolved' } : { node });
    },
    onRejected: (reason) => events.rejected(reason),
    sourceLimit: createTokenBuckets({ burst: nonFatal.perSourceBurst, perMinute: nonFatal.perSourcePerMinute }, config.limits.rateLimitedSources),
    submit: (req) => (req.fatal ? remediator?.submit(req) : reports?.submit(req)),
    updateContext: (req) => remediator?.updateContext(req),
    nodes: { isSynced: () => nodes?.isSynced() ?? false, synced },
  });

  return {
    route,
    attach(r, reps, n) {
      remediator = r;
      reports = reps;
      nodes = n;
      void n.synced.then(nodesSynced);
    },
  };
}
