// Original file: lastgasp/v1/collector.proto

export const StepOutcome = {
  STEP_OUTCOME_UNSPECIFIED: 'STEP_OUTCOME_UNSPECIFIED',
  STEP_OUTCOME_PENDING: 'STEP_OUTCOME_PENDING',
  STEP_OUTCOME_OK: 'STEP_OUTCOME_OK',
  STEP_OUTCOME_SKIPPED: 'STEP_OUTCOME_SKIPPED',
  STEP_OUTCOME_FAILED: 'STEP_OUTCOME_FAILED',
} as const;

export type StepOutcome =
  | 'STEP_OUTCOME_UNSPECIFIED'
  | 0
  | 'STEP_OUTCOME_PENDING'
  | 1
  | 'STEP_OUTCOME_OK'
  | 2
  | 'STEP_OUTCOME_SKIPPED'
  | 3
  | 'STEP_OUTCOME_FAILED'
  | 4

export type StepOutcome__Output = typeof StepOutcome[keyof typeof StepOutcome]
