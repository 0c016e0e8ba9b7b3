// Original file: lastgasp/v1/collector.proto

export const PolicyMode = {
  POLICY_MODE_UNSPECIFIED: 'POLICY_MODE_UNSPECIFIED',
  POLICY_MODE_IMMEDIATE: 'POLICY_MODE_IMMEDIATE',
  POLICY_MODE_CONFIRM: 'POLICY_MODE_CONFIRM',
} as const;

export type PolicyMode =
  | 'POLICY_MODE_UNSPECIFIED'
  | 0
  | 'POLICY_MODE_IMMEDIATE'
  | 1
  | 'POLICY_MODE_CONFIRM'
  | 2

export type PolicyMode__Output = typeof PolicyMode[keyof typeof PolicyMode]
