// What a follower learns from a NodeIncident the leader writes: the phase and one `leader` step that
// says who did what, so any replica answers GetIncident with the outcome. Pure.
import type { StepReport } from './remediation-steps.js';
import { FINAL_PHASES, phaseOf, recordName, requestFromRecord, type Phase } from './incident-record.js';

export interface FollowedRecord {
  incidentId: string;
  phase: Phase;
  step: StepReport;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function text(v: unknown): string | null {
  return typeof v === 'string' && v !== '' ? v : null;
}

function time(v: unknown): number | null {
  const t = Date.parse(text(v) ?? '');
  return Number.isNaN(t) ? null : t;
}

/** Null when the object is not a NodeIncident of ours or has no phase yet. */
export function followRecord(obj: unknown): FollowedRecord | null {
  const req = requestFromRecord(obj);
  const phase = phaseOf(obj);
  if (req === null || phase === null || !isObject(obj) || !isObject(obj.status)) return null;
  const s = obj.status;
  const by = text(s.remediatedBy) ?? (isObject(obj.spec) ? text(obj.spec.detectedBy) : null);
  // A reason that only repeats the phase (Remediated: ...) says nothing.
  const reason = text(s.reason) === phase ? null : text(s.reason);
  const detail = [reason, text(s.message)].filter((x) => x !== null).join(': ');
  const final = FINAL_PHASES.includes(phase) || phase === 'Held';
  return {
    incidentId: req.incidentId,
    phase,
    step: {
      name: 'leader',
      outcome: phase === 'Failed' ? 'failed' : final ? 'ok' : 'pending',
      startedAt: time(s.startedAt) ?? req.detectedAt,
      finishedAt: final ? (time(s.completedAt) ?? time(s.lastTransitionTime)) : null,
      message: `NodeIncident ${recordName(req.incidentId, req.node)} ${phase}${by === null ? '' : ` by ${by}`}${detail === '' ? '' : `: ${detail}`}`,
    },
  };
}
