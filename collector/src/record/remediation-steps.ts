// The vocabulary of remediation progress: each step of an incident as it starts and ends, and each
// phase its record enters. Remediation produces these, the record follower mirrors them, and the status
// API serves them; none of it touches Kubernetes.
import type { Phase } from './incident-record.js';

export type StepOutcome = 'pending' | 'ok' | 'skipped' | 'failed';

/**
 * One step of one incident. A later report with the same `name` replaces the earlier one (pending →
 * ok). Times are ms since the epoch; `finishedAt` is null while the step runs.
 */
export interface StepReport {
  /** Stable step name, e.g. `annotate-pods`, `fail-pods`, `delete-pods`, `delete-node`. */
  name: string;
  outcome: StepOutcome;
  startedAt: number | null;
  finishedAt: number | null;
  /** Human-readable detail: counts, the reason a step was skipped, the error of a failed one. */
  message: string;
}

export interface RemediationProgress {
  step(incidentId: string, step: StepReport): void;
  /** The record entered `phase`; `reason` says why for Held and Failed (e.g. `StormLimit`), else null. */
  phase(incidentId: string, phase: Phase, reason: string | null): void;
}

/** Reports nothing (standalone callers and tests that do not look). */
export const NO_PROGRESS: RemediationProgress = { step: () => undefined, phase: () => undefined };
