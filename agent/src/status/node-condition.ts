// Pure: the agent's status → the Node condition `LastGaspReady`, merged with what the Node has.
import type { AgentStatus } from '../types.js';

export const CONDITION_TYPE = 'LastGaspReady';

export interface ConditionContent {
  status: 'True' | 'False';
  reason: string;
  message: string;
}

/** A Node condition as sent to and read from the API (times are RFC 3339 strings). */
export interface NodeCondition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastHeartbeatTime?: string;
  lastTransitionTime?: string;
}

export function conditionFromStatus(status: AgentStatus): ConditionContent {
  return { status: status.ready ? 'True' : 'False', reason: status.reason, message: status.message };
}

export function sameContent(a: ConditionContent | null, b: ConditionContent): boolean {
  return a !== null && a.status === b.status && a.reason === b.reason && a.message === b.message;
}

/** RFC 3339 at second precision, as Kubernetes writes condition times. */
export function rfc3339(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/**
 * The condition to write. `lastTransitionTime` moves only when `status` changes (Kubernetes
 * condition contract); `lastHeartbeatTime` is the time of this write. `now` is ms since the epoch.
 */
export function nextCondition(existing: NodeCondition | undefined, content: ConditionContent, now: number): NodeCondition {
  const at = rfc3339(now);
  const kept = existing?.status === content.status ? existing.lastTransitionTime : undefined;
  return {
    type: CONDITION_TYPE,
    status: content.status,
    reason: content.reason,
    message: content.message,
    lastHeartbeatTime: at,
    lastTransitionTime: kept ?? at,
  };
}
