// The narrow view of collector state that the gRPC API reads. The app implements it from the pipeline
// (hosts, counters), the remediation side (policy, leadership, steps) and an IncidentHistory
// (incident-history.ts). Every method is cheap: the server calls them per request. All answer
// synchronously but getStatus, which may answer with a promise: it reads counters back from prom-client.
import type { HostSnapshot, Incident, ReasonCode } from '../types.js';
import type { ReceiverKind } from '../ingest/receive-socket.js';
import type { StepReport } from '../record/remediation-steps.js';

export type { StepOutcome } from '../record/remediation-steps.js';
/** One remediation step of one incident, as the API serves it. */
export type RemediationStep = StepReport;

/**
 * Where an incident stands. `observed`: recorded only (not fatal, or standalone); `unresolved`: the
 * source is no Node; `pending`: fatal, waiting (confirmation, leadership, queue); `held`: for an
 * operator (storm limits, excluded node, confirmation timed out).
 */
export type IncidentPhase = 'observed' | 'unresolved' | 'pending' | 'remediating' | 'remediated' | 'held' | 'failed' | 'refuted';

export const INCIDENT_PHASES: readonly IncidentPhase[] = [
  'observed',
  'unresolved',
  'pending',
  'remediating',
  'remediated',
  'held',
  'failed',
  'refuted',
];

/** An incident with what the collector made of it. */
export interface IncidentRecord {
  /** Position in first-seen order, strictly increasing within one process; the paging cursor. */
  ordinal: number;
  incident: Incident;
  /** The Node the source resolved to; null when unresolved (still listed: operators want to see it). */
  node: string | null;
  phase: IncidentPhase;
  steps: readonly Readonly<RemediationStep>[];
}

export type HistoryEventType = 'opened' | 'updated' | 'remediated' | 'held' | 'failed' | 'refuted';

export interface HistoryEvent {
  /** Strictly increasing from 1 within one process; the replay cursor. */
  sequence: number;
  type: HistoryEventType;
  /** ms since the epoch. */
  at: number;
  /** The record as it was right after this event (a snapshot, never mutated later), without context lines. */
  record: IncidentRecord;
}

/** Where a watch starts: only new events, after a sequence number, or at an incident's first event. */
export type WatchStart =
  | { kind: 'now' }
  | { kind: 'after-sequence'; sequence: number }
  | { kind: 'from-incident'; id: string };

export interface HostView extends HostSnapshot {
  /** The Node owning the address; null when the source is no Node (or standalone). */
  node: string | null;
}

export interface Listener {
  /** `netconsole` (UDP), `grpc` or `http`. */
  name: string;
  /** host:port as bound. */
  address: string;
  /** netconsole only: the receive path in use. */
  receiver?: ReceiverKind;
  /** netconsole only: the socket receive buffer granted, bytes. */
  recvBufferBytes?: number;
}

export interface CollectorCounters {
  datagrams: number;
  bytes: number;
  malformedByReason: Record<string, number>;
  unknownSources: number;
  hostsTracked: number;
  incidentsByKind: Partial<Record<ReasonCode, number>>;
  nodesRemediated: number;
  podsDeleted: number;
  incidentsHeld: number;
}

export interface PolicyView {
  mode: 'immediate' | 'confirm';
  dryRun: boolean;
  nodeAction: 'delete' | 'taint' | 'none';
  confirmTimeoutSeconds: number;
  confirmLeaseStaleSeconds: number;
  storm: { maxNodesPerWindow: number; windowSeconds: number; maxPercentOfReadyNodes: number };
  excludeNodeSelector: string;
  annotationPrefix: string;
}

export interface CollectorStatus {
  version: string;
  /** ms since the epoch. */
  startedAt: number;
  identity: string;
  leading: boolean;
  /** The current lease holder; null when unknown. */
  leaderIdentity: string | null;
  standalone: boolean;
  listeners: readonly Listener[];
  counters: CollectorCounters;
  policy: PolicyView;
  /** The proof-of-death self-check; null when the probe is off or the collector is standalone. */
  reachability: ReachabilityView | null;
}

/** prove/reachability-check.ts's summary, as the status shows it. */
export interface ReachabilityView {
  ready: number;
  /** Ready nodes checked at least once. */
  checked: number;
  answering: number;
  silent: number;
  overdue: number;
  silentNodes: readonly string[];
  /** ms since the epoch, or null before the first check. */
  lastCheckAt: number | null;
}

/** The incident half of the source; IncidentHistory implements it. */
export interface IncidentSource {
  /** Newest first (by first sight). */
  listIncidents(): readonly IncidentRecord[];
  getIncident(id: string): IncidentRecord | undefined;
  /**
   * Retained events after `start`, oldest first; undefined when `start` names an incident that is not
   * retained. Called in the same tick as `subscribe`, the two together miss and repeat nothing.
   */
  replay(start: WatchStart): HistoryEvent[] | undefined;
  /** Calls `listener` for every new event, synchronously, in sequence order. Returns the unsubscribe. */
  subscribe(listener: (event: HistoryEvent) => void): () => void;
}

export interface StatusSource extends IncidentSource {
  getStatus(): CollectorStatus | Promise<CollectorStatus>;
  /** Every tracked host, in any order. */
  listHosts(): readonly HostView[];
}

/** Joins an incident source with the status and host views the app provides. */
export function composeStatusSource(
  incidents: IncidentSource,
  parts: { getStatus(): CollectorStatus | Promise<CollectorStatus>; listHosts(): readonly HostView[] },
): StatusSource {
  return {
    getStatus: () => parts.getStatus(),
    listHosts: () => parts.listHosts(),
    listIncidents: () => incidents.listIncidents(),
    getIncident: (id) => incidents.getIncident(id),
    replay: (start) => incidents.replay(start),
    subscribe: (listener) => incidents.subscribe(listener),
  };
}
