// What the agent pod's readiness (/readyz) means. A node agent is not a server: nothing is routed to it,
// and its readiness only gates rollouts (a DaemonSet's maxUnavailable, `helm --wait`). Coverage —
// whether this node's kernel has a working netconsole path — is told by the Node condition
// LastGaspReady and the metrics, not by readiness: a node without netconsole (no configfs, module
// missing) or with every collector down must not stall a rollout across the whole cluster.
//
// Ready therefore means "this agent is working": it has reached a verdict about its node — it listed
// the collector endpoints (or has a static list) and finished a reconcile pass, or found configfs
// unavailable — and published it. Not ready: still starting, or unable to list the collector
// endpoints (the API unreachable, missing RBAC), where a new version would be as blind as a broken one.
import type { AgentStatus } from './types.js';

export function podReady(status: AgentStatus): boolean {
  return status.reason !== 'EndpointsUnknown';
}
