// How the API names the phase a NodeIncident record is in. Remediation reports record phases (Detected …
// Recorded) and the follower reads them off the leader's records; the history and every API answer use
// IncidentPhase. The table lives here, on the API side, because record/ sits below the API and never
// imports it.
import type { Phase } from '../record/incident-record.js';
import type { IncidentPhase } from './status-source.js';

const API_PHASE: Readonly<Record<Phase, IncidentPhase>> = {
  Detected: 'pending',
  Remediating: 'remediating',
  Remediated: 'remediated',
  Held: 'held',
  Failed: 'failed',
  Recorded: 'observed',
  Refuted: 'refuted',
};

/** The API's phase for a record in `phase`. */
export function apiPhase(phase: Phase): IncidentPhase {
  return API_PHASE[phase];
}
