// Collector state → lastgasp.v1 messages. Pure; times are ms since the epoch on our side.
import type {
  Host,
  Incident as IncidentMessage,
  IncidentEvent as IncidentEventMessage,
  IncidentEventType,
  IncidentPhase as IncidentPhaseMessage,
  NodeAction,
  PolicyMode,
  Reachability,
  Status,
  StepOutcome as StepOutcomeMessage,
  Timestamp,
} from '@lastgasp/proto';
import type {
  CollectorStatus,
  HistoryEvent,
  HistoryEventType,
  HostView,
  IncidentPhase,
  IncidentRecord,
  PolicyView,
  ReachabilityView,
  StepOutcome,
} from './status-source.js';

export function timestamp(ms: number): Timestamp {
  const seconds = Math.floor(ms / 1000);
  return { seconds, nanos: Math.round((ms - seconds * 1000) * 1e6) };
}

function optionalTimestamp(ms: number | null): Timestamp | null {
  return ms === null ? null : timestamp(ms);
}

function optionalSequence(seq: number | null): { value: number } | null {
  return seq === null ? null : { value: seq };
}

const POLICY_MODES: Record<PolicyView['mode'], PolicyMode> = {
  immediate: 'POLICY_MODE_IMMEDIATE',
  confirm: 'POLICY_MODE_CONFIRM',
};

const NODE_ACTIONS: Record<PolicyView['nodeAction'], NodeAction> = {
  delete: 'NODE_ACTION_DELETE',
  taint: 'NODE_ACTION_TAINT',
  none: 'NODE_ACTION_NONE',
};

export const PHASES: Record<IncidentPhase, IncidentPhaseMessage> = {
  observed: 'INCIDENT_PHASE_OBSERVED',
  unresolved: 'INCIDENT_PHASE_UNRESOLVED',
  pending: 'INCIDENT_PHASE_PENDING',
  remediating: 'INCIDENT_PHASE_REMEDIATING',
  remediated: 'INCIDENT_PHASE_REMEDIATED',
  held: 'INCIDENT_PHASE_HELD',
  failed: 'INCIDENT_PHASE_FAILED',
  refuted: 'INCIDENT_PHASE_REFUTED',
};

const OUTCOMES: Record<StepOutcome, StepOutcomeMessage> = {
  pending: 'STEP_OUTCOME_PENDING',
  ok: 'STEP_OUTCOME_OK',
  skipped: 'STEP_OUTCOME_SKIPPED',
  failed: 'STEP_OUTCOME_FAILED',
};

const EVENT_TYPES: Record<HistoryEventType, IncidentEventType> = {
  opened: 'INCIDENT_EVENT_TYPE_OPENED',
  updated: 'INCIDENT_EVENT_TYPE_UPDATED',
  remediated: 'INCIDENT_EVENT_TYPE_REMEDIATED',
  held: 'INCIDENT_EVENT_TYPE_HELD',
  failed: 'INCIDENT_EVENT_TYPE_FAILED',
  refuted: 'INCIDENT_EVENT_TYPE_REFUTED',
};

export function statusMessage(s: CollectorStatus): Status {
  const p = s.policy;
  return {
    version: s.version,
    startTime: timestamp(s.startedAt),
    identity: s.identity,
    leading: s.leading,
    leaderIdentity: s.leaderIdentity ?? '',
    standalone: s.standalone,
    listeners: s.listeners.map((l) => ({ name: l.name, address: l.address, receiver: l.receiver ?? '', recvBufferBytes: l.recvBufferBytes ?? 0 })),
    counters: {
      ...s.counters,
      malformedByReason: { ...s.counters.malformedByReason },
      incidentsByKind: { ...s.counters.incidentsByKind },
    },
    policy: {
      mode: POLICY_MODES[p.mode],
      dryRun: p.dryRun,
      nodeAction: NODE_ACTIONS[p.nodeAction],
      confirmTimeoutSeconds: p.confirmTimeoutSeconds,
      confirmLeaseStaleSeconds: p.confirmLeaseStaleSeconds,
      storm: { ...p.storm },
      excludeNodeSelector: p.excludeNodeSelector,
      annotationPrefix: p.annotationPrefix,
    },
    reachability: reachabilityMessage(s.reachability),
  };
}

function reachabilityMessage(r: ReachabilityView | null): Reachability | null {
  if (r === null) return null;
  return {
    readyNodes: r.ready,
    answering: r.answering,
    silent: r.silent,
    unchecked: Math.max(0, r.ready - r.checked),
    overdue: r.overdue,
    silentNodes: [...r.silentNodes],
    lastCheckTime: optionalTimestamp(r.lastCheckAt),
  };
}

export function hostMessage(h: HostView): Host {
  return {
    address: h.address,
    nodeName: h.node ?? '',
    kernelRelease: h.kernelRelease ?? '',
    lastRecordTime: optionalTimestamp(h.lastRecordAt),
    lastSequence: optionalSequence(h.lastSeq),
    records: h.records,
    sequenceGaps: h.sequenceGaps,
    lastCanaryTime: optionalTimestamp(h.lastCanaryAt),
    lastCanaryNode: h.lastCanaryNode ?? '',
    panicLine: h.panicLine ?? '',
    incidents: h.incidents,
    messagesLost: h.messagesLost,
    recordsWithoutNode: h.recordsWithoutNode,
    wireFeatures: [...h.wireFeatures],
  };
}

/** `withLines` false for listings and events: context lines only come with GetIncident. */
export function incidentMessage(r: IncidentRecord, withLines: boolean): IncidentMessage {
  const i = r.incident;
  return {
    id: i.id,
    source: i.source,
    nodeName: r.node ?? '',
    kind: i.kind,
    fatal: i.fatal,
    summary: i.summary,
    cause: i.cause === null ? null : { kind: i.cause.kind, summary: i.cause.summary },
    kernelRelease: i.kernelRelease ?? '',
    userdata: { ...i.userdata },
    format: i.format,
    firstSequence: optionalSequence(i.firstSeq),
    lastSequence: optionalSequence(i.lastSeq),
    lines: withLines ? [...i.lines] : [],
    openTime: timestamp(i.openedAt),
    updateTime: timestamp(i.updatedAt),
    closeTime: optionalTimestamp(i.closedAt),
    phase: PHASES[r.phase],
    steps: r.steps.map((s) => ({
      name: s.name,
      outcome: OUTCOMES[s.outcome],
      startTime: optionalTimestamp(s.startedAt),
      finishTime: optionalTimestamp(s.finishedAt),
      message: s.message,
    })),
  };
}

export function eventMessage(e: HistoryEvent): IncidentEventMessage {
  return {
    sequence: e.sequence,
    type: EVENT_TYPES[e.type],
    time: timestamp(e.at),
    incident: incidentMessage(e.record, false),
  };
}
