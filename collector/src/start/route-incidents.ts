// Where the pipeline's incident events go: into the history and the event counters, and with Kubernetes
// to node resolution and the remediator. The pipeline starts before Kubernetes (data-flow order), so the
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
import type { EventCounters } from './event-counters.js';

export interface IncidentRouting {
  route: (event: IncidentEvent) => void;
  /** Kubernetes has started: remediate through `remediator`, resolve once `nodes` has synced. */
  attach(remediator: Remediator, nodes: RestartingInformer): void;
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
  let remediator: Remediator | null = null;
  let nodes: RestartingInformer | null = null;
  let nodesSynced: () => void = () => undefined;
  const synced = new Promise<void>((resolve) => (nodesSynced = resolve));

  const route = createIncidentRouter({
    resolver: parts.standalone ? null : createNodeResolver({ index, logIntervalMs: config.unknownSourceLogIntervalSeconds * 1000 }),
    now,
    logger: parts.logger,
    onRecorded: (event, node, rejected) => {
      if (event.type === 'opened') events.incidentOpened(event.incident);
      history.recordIncidentEvent(event, now(), rejected ? { node: null, phase: 'unresolved' } : { node });
    },
    onRejected: (reason) => events.rejected(reason),
    submit: (req) => remediator?.submit(req),
    updateContext: (req) => remediator?.updateContext(req),
    nodes: { isSynced: () => nodes?.isSynced() ?? false, synced },
  });

  return {
    route,
    attach(r, n) {
      remediator = r;
      nodes = n;
      void n.synced.then(nodesSynced);
    },
  };
}
