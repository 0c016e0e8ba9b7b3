// Prometheus metrics (prom-client) on a registry the app owns (no global default registry).
// Counters kept elsewhere (listener, pipeline) are read at scrape time through `sources`.
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

export interface MetricSources {
  datagrams(): number;
  bytes(): number;
  malformedByReason(): Record<string, number>;
  hosts(): number;
  nodesKnown(): number;
  leading(): boolean;
  pendingIncidents(): number;
}

export interface CollectorMetrics {
  registry: Registry;
  incidents: Counter<'kind' | 'fatal'>;
  rejected: Counter<'reason'>;
  unknownSources: Counter;
  nodesRemediated: Counter<'action'>;
  podsDeleted: Counter;
  held: Counter<'reason'>;
  outcomes: Counter<'phase'>;
  /** Seconds from the incident's first sight to its final phase. */
  remediationSeconds: Histogram<'phase'>;
  watchRestarts: Counter<'informer' | 'reason'>;
}

export function createMetrics(sources: MetricSources): CollectorMetrics {
  const registry = new Registry();
  const registers = [registry];
  new Counter({
    name: 'lastgasp_datagrams_received_total',
    help: 'UDP datagrams received.',
    registers,
    collect() {
      this.reset();
      this.inc(sources.datagrams());
    },
  });
  new Counter({
    name: 'lastgasp_datagram_bytes_received_total',
    help: 'UDP payload bytes received.',
    registers,
    collect() {
      this.reset();
      this.inc(sources.bytes());
    },
  });
  new Counter({
    name: 'lastgasp_datagrams_malformed_total',
    help: 'Datagrams refused by the parser, by reason.',
    labelNames: ['reason'],
    registers,
    collect() {
      this.reset();
      for (const [reason, n] of Object.entries(sources.malformedByReason())) this.inc({ reason }, n);
    },
  });
  new Gauge({
    name: 'lastgasp_hosts_tracked',
    help: 'Sending hosts with context in memory.',
    registers,
    collect() {
      this.set(sources.hosts());
    },
  });
  new Gauge({
    name: 'lastgasp_nodes_known',
    help: 'Nodes in the node cache.',
    registers,
    collect() {
      this.set(sources.nodesKnown());
    },
  });
  new Gauge({
    name: 'lastgasp_leader',
    help: '1 when this replica holds the leader Lease.',
    registers,
    collect() {
      this.set(sources.leading() ? 1 : 0);
    },
  });
  new Gauge({
    name: 'lastgasp_incidents_pending',
    help: 'Fatal incidents remembered and not finished by this replica.',
    registers,
    collect() {
      this.set(sources.pendingIncidents());
    },
  });
  return {
    registry,
    incidents: new Counter({ name: 'lastgasp_incidents_total', help: 'Incidents opened, by kind.', labelNames: ['kind', 'fatal'], registers }),
    rejected: new Counter({
      name: 'lastgasp_incidents_rejected_total',
      help: 'Incidents not acted on because the sender could not be tied to one Node, by reason.',
      labelNames: ['reason'],
      registers,
    }),
    unknownSources: new Counter({ name: 'lastgasp_unknown_source_incidents_total', help: 'Incidents from addresses that are no Node.', registers }),
    nodesRemediated: new Counter({ name: 'lastgasp_nodes_remediated_total', help: 'Nodes remediated, by node action.', labelNames: ['action'], registers }),
    podsDeleted: new Counter({ name: 'lastgasp_pods_deleted_total', help: 'Pods failed and force-deleted.', registers }),
    held: new Counter({ name: 'lastgasp_incidents_held_total', help: 'Incidents held for an operator, by reason.', labelNames: ['reason'], registers }),
    outcomes: new Counter({ name: 'lastgasp_incident_outcomes_total', help: 'Incidents reaching a phase.', labelNames: ['phase'], registers }),
    remediationSeconds: new Histogram({
      name: 'lastgasp_remediation_duration_seconds',
      help: 'From first sight of an incident to its final phase.',
      labelNames: ['phase'],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300],
      registers,
    }),
    watchRestarts: new Counter({
      name: 'lastgasp_watch_restarts_total',
      help: 'Kubernetes watches restarted, by informer and reason.',
      labelNames: ['informer', 'reason'],
      registers,
    }),
  };
}
