// Original file: lastgasp/v1/collector.proto

export const NodeAction = {
  NODE_ACTION_UNSPECIFIED: 'NODE_ACTION_UNSPECIFIED',
  NODE_ACTION_DELETE: 'NODE_ACTION_DELETE',
  NODE_ACTION_TAINT: 'NODE_ACTION_TAINT',
  NODE_ACTION_NONE: 'NODE_ACTION_NONE',
} as const;

export type NodeAction =
  | 'NODE_ACTION_UNSPECIFIED'
  | 0
  | 'NODE_ACTION_DELETE'
  | 1
  | 'NODE_ACTION_TAINT'
  | 2
  | 'NODE_ACTION_NONE'
  | 3

export type NodeAction__Output = typeof NodeAction[keyof typeof NodeAction]
