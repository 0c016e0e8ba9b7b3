// Writes `LastGaspReady` on the agent's own Node: read the Node (get nodes), compute the condition, and send a
// strategic merge patch of nodes/status with just that condition. Node conditions merge by `type`
// under strategic merge, so the kubelet's own conditions are left as they are. Writes happen only
// when status, reason or message change (no periodic heartbeat: it would cost one write per node
// per interval across the cluster); a failed write is retried at the next report.
import type { KubeClient } from '../kube/kube-client.js';
import type { Logger } from 'pino';
import { CONDITION_TYPE, nextCondition, sameContent, type ConditionContent, type NodeCondition } from './node-condition.js';

export interface NodeConditionReporter {
  report(content: ConditionContent): Promise<void>;
}

export function createNodeConditionReporter(deps: {
  kube: KubeClient;
  nodeName: string;
  logger: Logger;
  now: () => number;
}): NodeConditionReporter {
  let written: ConditionContent | null = null;
  let chain: Promise<void> = Promise.resolve();
  const write = async (content: ConditionContent): Promise<void> => {
    if (sameContent(written, content)) return;
    try {
      const path = `/api/v1/nodes/${encodeURIComponent(deps.nodeName)}`;
      const node = await deps.kube.request<{ status?: { conditions?: NodeCondition[] } }>('GET', path);
      const existing = node.status?.conditions?.find((c) => c.type === CONDITION_TYPE);
      const condition = nextCondition(existing, content, deps.now());
      const patch = { status: { conditions: [condition] } };
      await deps.kube.request('PATCH', `${path}/status`, patch, 'application/strategic-merge-patch+json');
      written = content;
      deps.logger.info({ condition: content }, 'node condition written');
    } catch (err) {
      written = null;
      deps.logger.warn({ err, node: deps.nodeName }, 'could not write node condition; retrying at the next report');
    }
  };
  return {
    // Serialised so two reports never interleave their read and patch.
    report(content) {
      chain = chain.then(() => write(content));
      return chain;
    },
  };
}
