// Prometheus metrics (prom-client) on a registry the app owns (no global default registry).
// Counters kept elsewhere (listener, pipeline) are read at scrape time through `sources`; the incident
// and remediation counters are counted through start/event-counters.ts, which GetStatus reads back.
import { BUILD_INFO_METRIC, buildInfoLabels } from '@lastgasp/proto/version';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { IncidentHistoryStats } from '../api/incident-history.js';
import { HOST_TIERS, type HostTier, type HostTierStats } from '../host-context/host-table.js';
import type { PipelineStats } from '../pipeline-stats.js';
import { FINAL_PHASES } from '../record/incident-record.js';
import type { SeriesStats } from '../report/event-series.js';
import type { RejectReason } from '../resolve/resolve-node.js';
import { REASON_CODES } from '../types.js';

// Every label value a counter can take, so each series exists (at 0) from the first scrape and an
// alert's rate() or increase() needs no `or vector(0)`.
const REJECT_REASONS: readonly RejectReason[] = ['unknown-source', 'ambiguous-source', 'node-mismatch'];
const NODE_ACTIONS = ['delete', 'taint', 'none'] as const;
/** The codes a Held NodeIncident's status.reason takes (remediate/policy-gate, proof-gate, confirm-wait, dry-run). */
export const HOLD_REASONS = ['Excluded', 'StormLimit', 'NotConfirmed', 'DryRun', 'NoProofOfDeath'] as const;
/** The phases a remediation run ends in. */
const OUTCOME_PHASES = [...FINAL_PHASES, 'Held'] as const;
/** The informers whose watches restart (start/start-kube). */
const WATCHED = ['nodes', 'nodeincidents'] as const;

/**
 * The receive path's counters (listener and pipeline), read at scrape time. GetStatus reads the same
 * function, so both always show the same numbers.
 */
export interface ReceiveCounters {
  datagrams: number;
  bytes: number;
  /** Dropped by the listener because the parse queue was full. */
  queueDropped: number;
  handlerErrors: number;
  /** Datagrams that reached the parser (received minus queue drops and those still queued). */
  parsed: number;
  malformedByReason: Record<string, number>;
  records: number;
  duplicates: number;
  reordered: number;
  sequenceResets: number;
  messagesLost: number;
  recordsWithoutNode: number;
  fragmentDrops: Record<string, number>;
  untrustedIncidentLike: number;
  hosts: number;
  hostsEvicted: number;
}

/** What the receive path's bounded structures hold now (config `limits`), read at scrape time. */
export interface ReceiveMemory {
  udpQueueBytes: number;
  fragmentsInFlight: number;
  fragmentBytes: number;
  hostTiers: Record<HostTier, HostTierStats>;
  historyIncidentBytes: number;
  historyEventBytes: number;
  /** Event series of non-fatal incidents being counted (limits.eventSeries); zero in standalone mode. */
  eventSeries: SeriesStats;
}

/** Joins the listener's, the pipeline's and the history's numbers (null: not started yet, all zero). */
export function receiveMemory(
  listener: { queuedBytes: number } | null,
  pipeline: Pick<PipelineStats, 'fragmentsInFlight' | 'fragmentBytesInFlight' | 'hostTiers'> | null,
  history: IncidentHistoryStats,
  series: SeriesStats | null = null,
): ReceiveMemory {
  const empty = { hosts: 0, bytes: 0 };
  return {
    udpQueueBytes: listener?.queuedBytes ?? 0,
    fragmentsInFlight: pipeline?.fragmentsInFlight ?? 0,
    fragmentBytes: pipeline?.fragmentBytesInFlight ?? 0,
    hostTiers: pipeline?.hostTiers ?? { node: empty, incident: empty, unknown: empty },
    historyIncidentBytes: history.incidentBytes,
    historyEventBytes: history.eventBytes,
    eventSeries: series ?? { series: 0, bytes: 0, dropped: 0 },
  };
}

export interface MetricSources {
  receive(): ReceiveCounters;
  /** Sizes of the bounded structures; their gauges are registered only when given. */
  memory?: () => ReceiveMemory;
  nodesKnown(): number;
  leading(): boolean;
  pendingIncidents(): number;
  /** Bytes the pending incidents hold; 0 when not given. */
  pendingIncidentBytes?: () => number;
}

export interface CollectorMetrics {
  registry: Registry;
  incidents: Counter<'kind' | 'fatal'>;
  rejected: Counter<'reason'>;
  unknownSources: Counter;
  nodesRemediated: Counter<'action'>;
  podsDeleted: Counter;
  held: Counter<'reason'>;
  proofVerdicts: Counter<'verdict'>;
  refuted: Counter<'recorded'>;
  outcomes: Counter<'phase'>;
  /** Seconds from the incident's first sight to its final phase. */
  remediationSeconds: Histogram<'phase'>;
  watchRestarts: Counter<'informer' | 'reason'>;
  /** Non-fatal incidents a rate limit kept out of the history and logs, or from a NodeIncident. */
  rateLimited: Counter<'limit'>;
  /** Event series writes, by kind: create, update, failed. */
  seriesWrites: Counter<'kind'>;
  /** Finished NodeIncidents deleted by retention. */
  recordsDeleted: Counter;
}

export function createMetrics(sources: MetricSources): CollectorMetrics {
  const registry = new Registry();
  // The process's own health: resident memory, V8 heap by space, GC pauses, event-loop delay, handles.
  collectDefaultMetrics({ register: registry });
  const registers = [registry];
  registerBuildInfo(registry);
  const counter = (name: string, help: string, read: (r: ReceiveCounters) => number): void => {
    new Counter({
      name,
      help,
      registers,
      collect() {
        this.reset();
        this.inc(read(sources.receive()));
      },
    });
  };
  const counterByReason = (name: string, help: string, read: (r: ReceiveCounters) => Record<string, number>): void => {
    new Counter({
      name,
      help,
      labelNames: ['reason'],
      registers,
      collect() {
        this.reset();
        for (const [reason, n] of Object.entries(read(sources.receive()))) this.inc({ reason }, n);
      },
    });
  };
  counter('lastgasp_datagrams_received_total', 'UDP datagrams received.', (r) => r.datagrams);
  counter('lastgasp_datagrams_received_bytes_total', 'UDP payload bytes received.', (r) => r.bytes);
  counter('lastgasp_datagrams_queue_dropped_total', 'Datagrams dropped because the parse queue was full.', (r) => r.queueDropped);
  counter('lastgasp_datagram_handler_errors_total', 'Datagrams whose handling threw (a bug, not bad input).', (r) => r.handlerErrors);
  counter('lastgasp_datagrams_parsed_total', 'Datagrams handed to the parser (well-formed or not).', (r) => r.parsed);
  counterByReason('lastgasp_datagrams_malformed_total', 'Datagrams refused by the parser, by reason.', (r) => r.malformedByReason);
  counter('lastgasp_records_total', 'Kernel records reconstructed.', (r) => r.records);
  counter('lastgasp_records_duplicate_total', 'Records dropped as duplicates (same sequence number again).', (r) => r.duplicates);
  counter('lastgasp_records_reordered_total', 'Records that arrived out of sequence order and were accepted.', (r) => r.reordered);
  counter('lastgasp_sequence_resets_total', 'Sequence restarts of a host (a reboot or a new netconsole target).', (r) => r.sequenceResets);
  counter('lastgasp_messages_lost_total', 'Kernel messages lost between nodes and this collector, from netconsole sysdata msgid gaps (7.x kernels).', (r) => r.messagesLost);
  counter(
    'lastgasp_records_without_node_total',
    'Records without userdata node= from a host that had sent node= before (suspicious: possibly forged).',
    (r) => r.recordsWithoutNode,
  );
  counterByReason('lastgasp_fragments_dropped_total', 'Fragments or fragmented records dropped, by reason.', (r) => r.fragmentDrops);
  counter(
    'lastgasp_untrusted_incident_lines_total',
    'Records that looked like an incident but may not open one (userspace facility, or legacy text when legacy is refused).',
    (r) => r.untrustedIncidentLike,
  );
  counter('lastgasp_hosts_evicted_total', 'Hosts whose context was evicted to bound memory.', (r) => r.hostsEvicted);
  new Gauge({
    name: 'lastgasp_hosts_tracked',
    help: 'Sending hosts with context in memory.',
    registers,
    collect() {
      this.set(sources.receive().hosts);
    },
  });
  const memory = sources.memory;
  if (memory !== undefined) registerMemoryGauges(registers, memory);
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
  new Gauge({
    name: 'lastgasp_incidents_pending_bytes',
    help: 'Bytes held by those incidents (their kernel lines); at most 2,000 incidents, 32 MiB and 8 per Node.',
    registers,
    collect() {
      this.set(sources.pendingIncidentBytes?.() ?? 0);
    },
  });
  return {
    registry,
    incidents: (() => {
      const c = new Counter({ name: 'lastgasp_incidents_total', help: 'Incidents opened, by kind.', labelNames: ['kind', 'fatal'], registers });
      for (const kind of REASON_CODES) for (const fatal of ['true', 'false']) c.inc({ kind, fatal }, 0);
      return c;
    })(),
    rejected: zeroed(
      new Counter({
        name: 'lastgasp_incidents_rejected_total',
        help: 'Incidents not acted on because the sender could not be tied to one Node, by reason.',
        labelNames: ['reason'],
        registers,
      }),
      'reason',
      REJECT_REASONS,
    ),
    unknownSources: new Counter({ name: 'lastgasp_unknown_source_incidents_total', help: 'Incidents from addresses that are no Node.', registers }),
    nodesRemediated: zeroed(
      new Counter({ name: 'lastgasp_nodes_remediated_total', help: 'Nodes remediated, by node action.', labelNames: ['action'], registers }),
      'action',
      NODE_ACTIONS,
    ),
    podsDeleted: new Counter({ name: 'lastgasp_pods_deleted_total', help: 'Pods failed and force-deleted.', registers }),
    held: zeroed(
      new Counter({ name: 'lastgasp_incidents_held_total', help: 'Incidents held for an operator, by reason.', labelNames: ['reason'], registers }),
      'reason',
      HOLD_REASONS,
    ),
    proofVerdicts: zeroed(
      new Counter({ name: 'lastgasp_proof_of_death_verdicts_total', help: 'Proof-of-death verdicts before remediation (alive, dead, inconclusive).', labelNames: ['verdict'], registers }),
      'verdict',
      ['alive', 'dead', 'inconclusive'],
    ),
    refuted: zeroed(
      new Counter({
        name: 'lastgasp_incidents_refuted_total',
        help: 'Fatal incidents refuted: the node answered after its reported panic (possible forged last gasp); nothing destroyed. recorded="false": not recorded, the node had 3 refutations recorded within the hour.',
        labelNames: ['recorded'],
        registers,
      }),
      'recorded',
      ['true', 'false'],
    ),
    outcomes: zeroed(
      new Counter({ name: 'lastgasp_incident_outcomes_total', help: 'Incidents reaching a phase.', labelNames: ['phase'], registers }),
      'phase',
      OUTCOME_PHASES,
    ),
    remediationSeconds: (() => {
      const h = new Histogram({
        name: 'lastgasp_remediation_duration_seconds',
        help: 'From first sight of an incident to its final phase.',
        labelNames: ['phase'],
        buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300],
        registers,
      });
      for (const phase of OUTCOME_PHASES) h.zero({ phase });
      return h;
    })(),
    watchRestarts: (() => {
      const c = new Counter({
        name: 'lastgasp_watch_restarts_total',
        help: 'Kubernetes watches restarted, by informer and reason.',
        labelNames: ['informer', 'reason'],
        registers,
      });
      for (const informer of WATCHED) for (const reason of ['error', 'silence']) c.inc({ informer, reason }, 0);
      return c;
    })(),
    rateLimited: zeroed(
      new Counter({
        name: 'lastgasp_incidents_rate_limited_total',
        help: 'Non-fatal incidents a rate limit acted on: limit="source", kept out of the history and logs (policy.nonFatal.perSource*); limit="node-records", given no NodeIncident (policy.nonFatal.recordsPerNodePerHour). Each is still counted in its Event series.',
        labelNames: ['limit'],
        registers,
      }),
      'limit',
      ['source', 'node-records'],
    ),
    seriesWrites: zeroed(
      new Counter({ name: 'lastgasp_event_series_writes_total', help: 'Writes of non-fatal Event series, by kind: create, update, failed.', labelNames: ['kind'], registers }),
      'kind',
      ['create', 'update', 'failed'],
    ),
    recordsDeleted: new Counter({ name: 'lastgasp_incident_records_deleted_total', help: 'Finished NodeIncidents deleted by retention (policy.retention).', registers }),
  };
}

/** The counter with each of `values` of `label` at 0, so the series exist before the first event. */
function zeroed<T extends string>(c: Counter<T>, label: T, values: readonly string[]): Counter<T> {
  for (const v of values) c.inc({ [label]: v } as Partial<Record<T, string>>, 0);
  return c;
}

/** lastgasp_build_info{version,revision,node_version} 1: which build runs (proto/src/version.ts). */
export function registerBuildInfo(registry: Registry): void {
  new Gauge({ ...BUILD_INFO_METRIC, labelNames: [...BUILD_INFO_METRIC.labelNames], registers: [registry] }).set(buildInfoLabels(), 1);
}

/** The UDP receive path in use, known once the listener is bound: lastgasp_udp_receiver_info{receiver} 1. */
export function registerReceiverInfo(registry: Registry, receiver: string): void {
  new Gauge({
    name: 'lastgasp_udp_receiver_info',
    help: 'The UDP receive path in use (native: recvmmsg batch addon; dgram: node:dgram); always 1.',
    labelNames: ['receiver'],
    registers: [registry],
  }).set({ receiver }, 1);
}

/** Gauges of what each bounded structure of the receive path holds (the bounds: config `limits`). */
function registerMemoryGauges(registers: Registry[], read: () => ReceiveMemory): void {
  const gauge = (name: string, help: string, value: (m: ReceiveMemory) => number): void => {
    new Gauge({
      name,
      help,
      registers,
      collect() {
        this.set(value(read()));
      },
    });
  };
  gauge('lastgasp_udp_queue_bytes', 'Bytes held by datagrams received and waiting for the parser (limits.udpQueue.bytes).', (m) => m.udpQueueBytes);
  gauge('lastgasp_fragments_in_flight', 'Records being joined from ncfrag= fragments (limits.fragments.inFlight).', (m) => m.fragmentsInFlight);
  gauge('lastgasp_fragment_bytes', 'Bytes held by fragments of records being joined (limits.fragments.bytes).', (m) => m.fragmentBytes);
  new Gauge({
    name: 'lastgasp_host_table_hosts',
    help: 'Sending hosts with context in memory, by tier: node, incident (other source, incident open), unknown (limits.hosts.<tier>.hosts).',
    labelNames: ['tier'],
    registers,
    collect() {
      const tiers = read().hostTiers;
      for (const tier of HOST_TIERS) this.set({ tier }, tiers[tier].hosts);
    },
  });
  new Gauge({
    name: 'lastgasp_host_table_bytes',
    help: 'Bytes of per-host context (recent records, open incident, unfinished line), by tier (limits.hosts.<tier>.bytes).',
    labelNames: ['tier'],
    registers,
    collect() {
      const tiers = read().hostTiers;
      for (const tier of HOST_TIERS) this.set({ tier }, tiers[tier].bytes);
    },
  });
  gauge('lastgasp_event_series', 'Event series of non-fatal incidents being counted (limits.eventSeries.series).', (m) => m.eventSeries.series);
  gauge('lastgasp_event_series_bytes', 'Bytes held by those Event series (limits.eventSeries.bytes).', (m) => m.eventSeries.bytes);
  new Counter({
    name: 'lastgasp_event_series_dropped_total',
    help: 'Event series forgotten before their last count was written (bounds reached, or a follower never writing).',
    registers,
    collect() {
      this.reset();
      this.inc(read().eventSeries.dropped);
    },
  });
  new Gauge({
    name: 'lastgasp_incident_history_bytes',
    help: 'Bytes of the incident history the API serves: incidents and watch events (limits.history.incidentBytes, eventBytes).',
    labelNames: ['part'],
    registers,
    collect() {
      const m = read();
      this.set({ part: 'incidents' }, m.historyIncidentBytes);
      this.set({ part: 'events' }, m.historyEventBytes);
    },
  });
}
