// What the incident history learns about remediation, on either side of leadership: the leader's own
// progress as it happens (steps and record phases), and on a follower the records the leader writes, so
// that any replica answers GetIncident with the outcome. Both translate record phases through the API's
// one table (api/record-phase.ts).
import { apiPhase, type IncidentHistory } from '../api/index.js';
import { followRecord } from '../record/follow-record.js';
import type { RemediationProgress } from '../record/remediation-steps.js';

/** Remediation progress of this replica, into the history. */
export function progressInto(history: IncidentHistory, now: () => number): RemediationProgress {
  return {
    step: (id, step) => history.recordStep(id, step, now()),
    phase: (id, phase) => history.setPhase(id, apiPhase(phase), now()),
  };
}

/**
 * A NodeIncident changed while this replica follows. Only incidents this replica saw are mirrored, and an
 * unchanged record (a relist) adds no event.
 */
export function followLeaderInto(history: IncidentHistory, now: () => number): (record: unknown) => void {
  return (record) => {
    const f = followRecord(record);
    const known = f === null ? undefined : history.getIncident(f.incidentId);
    if (f === null || known === undefined) return;
    const previous = known.steps.find((s) => s.name === f.step.name);
    if (previous?.message !== f.step.message || previous.outcome !== f.step.outcome) history.recordStep(f.incidentId, f.step, now());
    const phase = apiPhase(f.phase);
    if (known.phase !== phase) history.setPhase(f.incidentId, phase, now());
  };
}
