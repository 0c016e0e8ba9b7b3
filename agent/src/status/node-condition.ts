// Pure: the agent's status → the Node condition `LastGaspReady`, merged with what the Node has.
import type { V1NodeCondition } from '@kubernetes/client-node';
import type { AgentStatus } from '../types.js';

export const CONDITION_TYPE = 'LastGaspReady';

export interface ConditionContent {
  status: 'True' | 'False';
  reason: string;
  message: string;
}

export function conditionFromStatus(status: AgentStatus): ConditionContent {
  return { status: status.ready ? 'True' : 'False', reason: status.reason, message: status.message };
}

export function sameContent(a: ConditionContent | null, b: ConditionContent): boolean {
  return a !== null && a.status === b.status && a.reason === b.reason && a.message === b.message;
}

/**
 * The condition to write. `lastTransitionTime` moves only when `status` changes (Kubernetes
 * condition contract); `lastHeartbeatTime` is the time of this write. `now` is ms since the epoch.
 */
export function nextCondition(existing: V1NodeCondition | undefined, content: ConditionContent, now: number): V1NodeCondition {
  const at = new Date(now);
  const keepTransition = existing?.status === content.status && existing.lastTransitionTime !== undefined;
  return {
    type: CONDITION_TYPE,
    status: content.status,
    reason: content.reason,
    message: content.message,
    lastHeartbeatTime: at,
    lastTransitionTime: keepTransition && existing.lastTransitionTime !== undefined ? new Date(existing.lastTransitionTime) : at,
  };
}
