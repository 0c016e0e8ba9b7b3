// The Node's two steps: the cordon (with the reason as annotations) before any pod is touched, so no
// replacement is scheduled onto the dying Node; and, after the pods, the policy's node action: delete
// it, taint it out-of-service, or leave it. A Node already gone counts as done.
import type { NodeAction } from '../config/config.js';
import type { Gone } from './cluster-api.js';
import type { IncidentRun } from './incident-run.js';

export const OUT_OF_SERVICE_TAINT = { key: 'node.kubernetes.io/out-of-service', value: 'nodeshutdown', effect: 'NoExecute' } as const;

const gone = (result: Gone, what: string): string => (result === 'gone' ? `${what} was already gone` : '');

/** Annotates the Node with the reason and marks it unschedulable. */
export function cordonNode(run: IncidentRun, annotations: Record<string, string>): Promise<Gone> {
  const node = run.req.node;
  return run.step(
    'cordon-node',
    () => run.ctx.retry(() => run.ctx.api.cordonNode(node, annotations)),
    (r) => gone(r, 'the Node') || `Node ${node} annotated with the reason and cordoned (unschedulable)`,
  );
}

/** Applies `policy.nodeAction` (steps `delete-node`, `taint-node`, or `keep-node` skipped); returns it. */
export async function actOnNode(run: IncidentRun): Promise<NodeAction> {
  const { api, retry, policy } = run.ctx;
  const node = run.req.node;
  const action = policy.nodeAction;
  run.ctx.assertLeader();
  if (action === 'delete') {
    await run.step('delete-node', () => retry(() => api.deleteNode(node)), (r) => gone(r, 'the Node') || `Node ${node} deleted`);
  } else if (action === 'taint') {
    const taint = `${OUT_OF_SERVICE_TAINT.key}=${OUT_OF_SERVICE_TAINT.value}:${OUT_OF_SERVICE_TAINT.effect}`;
    await run.step('taint-node', () => retry(() => api.taintNode(node, OUT_OF_SERVICE_TAINT)), (r) => gone(r, 'the Node') || `tainted ${taint}`);
  } else {
    const t = run.ctx.now();
    run.report({ name: 'keep-node', outcome: 'skipped', startedAt: t, finishedAt: t, message: 'policy nodeAction none: the Node is left as it is' });
  }
  run.ctx.observer.nodeRemediated(action);
  return action;
}

/** What the Node's Event says was done to it. */
export function nodeActionSentence(action: NodeAction): string {
  if (action === 'delete') return 'The Node was deleted.';
  if (action === 'taint') return `The Node was tainted ${OUT_OF_SERVICE_TAINT.key}.`;
  return 'The Node was left in place.';
}
