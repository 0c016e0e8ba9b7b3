// The `limits` section of the configuration: the memory bounds of the receive path, each by count and
// by bytes (bytes as the heap really holds them, heap-size.ts). Defaults come from the stages that
// enforce them; the functions below turn the section into each stage's options.
import { DEFAULT_HISTORY_LIMITS, type IncidentHistoryOptions } from '../api/incident-history.js';
import { DEFAULT_MAX_QUEUE, DEFAULT_MAX_QUEUE_BYTES } from '../ingest/udp-listener.js';
import { DEFAULT_PIPELINE_LIMITS, type PipelineLimitOptions } from '../pipeline-limits.js';
import type { SeriesSettings } from '../report/event-series.js';
import type { NonFatalPolicy } from './config.js';

export interface CountAndBytes {
  hosts: number;
  bytes: number;
}

export interface ReceiveLimits {
  /** Datagrams received and waiting for the parser. */
  udpQueue: { datagrams: number; bytes: number };
  /** Records being reassembled from `ncfrag=` pieces. */
  fragments: { inFlight: number; inFlightPerHost: number; bytes: number };
  /** Per-host context, in three tiers that never evict each other's hosts. */
  hosts: { node: CountAndBytes; incident: CountAndBytes; unknown: CountAndBytes };
  /** Incidents and watch events kept for the API. */
  history: { incidents: number; incidentBytes: number; incidentsPerUnknownSource: number; events: number; eventBytes: number };
  /** Event series of non-fatal incidents being counted (report/event-series.ts). */
  eventSeries: { series: number; bytes: number };
  /** Senders whose non-fatal incident rate is tracked (policy.nonFatal.perSource*). */
  rateLimitedSources: number;
}

export function defaultReceiveLimits(): ReceiveLimits {
  const p = DEFAULT_PIPELINE_LIMITS;
  const h = DEFAULT_HISTORY_LIMITS;
  const tier = (name: keyof ReceiveLimits['hosts']): CountAndBytes => ({ hosts: p.hosts[name].maxHosts, bytes: p.hosts[name].maxBytes });
  return {
    udpQueue: { datagrams: DEFAULT_MAX_QUEUE, bytes: DEFAULT_MAX_QUEUE_BYTES },
    fragments: { inFlight: p.fragments.maxInFlight, inFlightPerHost: p.fragments.maxInFlightPerHost, bytes: p.fragments.maxBytesInFlight },
    hosts: { node: tier('node'), incident: tier('incident'), unknown: tier('unknown') },
    history: {
      incidents: h.maxIncidents,
      incidentBytes: h.maxIncidentBytes,
      incidentsPerUnknownSource: h.maxIncidentsPerUnknownSource,
      events: h.maxEvents,
      eventBytes: h.maxEventBytes,
    },
    eventSeries: { series: 10_000, bytes: 16 * 1024 * 1024 },
    rateLimitedSources: 10_000,
  };
}

/** For `createPipeline({ limits })`. */
export function pipelineLimitOptions(limits: ReceiveLimits): PipelineLimitOptions {
  const tier = (t: CountAndBytes) => ({ maxHosts: t.hosts, maxBytes: t.bytes });
  return {
    fragments: { maxInFlight: limits.fragments.inFlight, maxInFlightPerHost: limits.fragments.inFlightPerHost, maxBytesInFlight: limits.fragments.bytes },
    hosts: { node: tier(limits.hosts.node), incident: tier(limits.hosts.incident), unknown: tier(limits.hosts.unknown) },
  };
}

/** For `new IncidentHistory(options)`. */
export function historyOptions(limits: ReceiveLimits): IncidentHistoryOptions {
  const h = limits.history;
  return {
    maxIncidents: h.incidents,
    maxIncidentBytes: h.incidentBytes,
    maxIncidentsPerUnknownSource: h.incidentsPerUnknownSource,
    maxEvents: h.events,
    maxEventBytes: h.eventBytes,
  };
}

/** For `startUdpListener({ ...listenerQueueOptions(limits) })`. */
export function listenerQueueOptions(limits: ReceiveLimits): { maxQueue: number; maxQueueBytes: number } {
  return { maxQueue: limits.udpQueue.datagrams, maxQueueBytes: limits.udpQueue.bytes };
}

/** For `createEventSeries(settings)`. */
export function seriesSettings(limits: ReceiveLimits, nonFatal: NonFatalPolicy): SeriesSettings {
  return { periodMs: nonFatal.seriesPeriodMs, refreshMs: nonFatal.seriesRefreshMs, maxSeries: limits.eventSeries.series, maxBytes: limits.eventSeries.bytes };
}
