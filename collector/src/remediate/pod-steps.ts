// The pods of the dying Node: listed (the list may be asked for when the run starts, while the record
// is written), then each one explained and failed in one write (annotations, phase Failed, condition
// DisruptionTarget) and deleted with grace period 0. Every pod's steps run concurrently; each kind of
// step is reported once for all pods, with counts (remediation-progress.ts).
import pLimit from 'p-limit';
import { MAX_AFFECTED_PODS } from '../record/incident-record.js';
import type { PodRef } from './cluster-api.js';
import { stepError, type IncidentRun } from './incident-run.js';
import { goneSuffix, PodStepGroup } from './remediation-progress.js';

/**
 * Pods handled at once on one node: all of them (a node runs at most ~110 by default), capped so one
 * incident cannot monopolise the API server or the connection pool.
 */
export const MAX_POD_CONCURRENCY = 128;

/** `namespace/name`, as the record lists affected pods. */
export function podKey(pod: PodRef): string {
  return `${pod.namespace}/${pod.name}`;
}

/** The record's `affectedPods`: the first MAX_AFFECTED_PODS pods. */
export function affectedPods(pods: readonly PodRef[]): string[] {
  return pods.slice(0, MAX_AFFECTED_PODS).map(podKey);
}

/** Asks for the pod list now; pass the promise to `listPods`, which waits for it. */
export function startPodList(run: IncidentRun): Promise<PodRef[]> {
  const list = run.ctx.retry(() => run.ctx.api.listPodsOnNode(run.req.node));
  // Observed here so a failure is not unhandled when the run ends before `listPods`; it still throws there.
  list.catch(() => undefined);
  return list;
}

/** The `list-pods` step: the list `startPodList` asked for, or a new one. */
export function listPods(run: IncidentRun, started: Promise<PodRef[]> | null): Promise<PodRef[]> {
  return run.step(
    'list-pods',
    () => started ?? run.ctx.retry(() => run.ctx.api.listPodsOnNode(run.req.node)),
    (pods) => `${pods.length} pod(s) on ${run.req.node}`,
  );
}

/** The per-pod steps, each reported once for all pods of the node. */
interface PodSteps {
  fail: PodStepGroup;
  delete: PodStepGroup;
}

function podSteps(run: IncidentRun, total: number): PodSteps {
  const group = (name: string, describe: (c: { done: number; gone: number; total: number }) => string): PodStepGroup =>
    new PodStepGroup(name, total, describe, (step) => run.report(step), run.ctx.now);
  return {
    fail: group('fail-pods', (c) => `${c.done} of ${c.total} pod(s) annotated with the reason and set Failed with condition DisruptionTarget${goneSuffix(c.gone)}`),
    delete: group('delete-pods', (c) => `${c.done} pod(s) deleted, grace period 0${goneSuffix(c.gone)}`),
  };
}

/** One pod's steps: whether this call explained (annotated and failed) it, and whether it deleted it. */
async function failAndDeletePod(
  run: IncidentRun,
  pod: PodRef,
  annotations: Record<string, string>,
  steps: PodSteps,
): Promise<{ explained: boolean; deleted: boolean }> {
  const { api, retry } = run.ctx;
  run.ctx.assertLeader();
  steps.fail.begin();
  const failed = await retry(() => api.failPod(pod, { reason: run.req.kind, message: run.req.summary }, annotations));
  steps.fail.end(failed);
  if (failed === 'gone') return { explained: false, deleted: false };
  run.ctx.assertLeader();
  steps.delete.begin();
  const deleted = await retry(() => api.deletePod(pod));
  steps.delete.end(deleted);
  if (deleted === 'done') run.ctx.observer.podDeleted();
  return { explained: true, deleted: deleted === 'done' };
}

/** Fails and deletes every pod; resolves with the pods this call explained (they get an Event). */
export async function failAndDeletePods(
  run: IncidentRun,
  pods: readonly PodRef[],
  annotations: Record<string, string>,
): Promise<{ podsDeleted: number; explained: PodRef[] }> {
  const steps = podSteps(run, pods.length);
  const critical = [steps.fail, steps.delete];
  const explained: PodRef[] = [];
  let podsDeleted = 0;
  try {
    await pLimit(MAX_POD_CONCURRENCY).map(pods, async (pod) => {
      const result = await failAndDeletePod(run, pod, annotations, steps);
      if (result.deleted) podsDeleted++;
      // A pod found gone before it was failed was not explained by this run: no Event about it.
      if (result.explained) explained.push(pod);
    });
  } catch (err) {
    const e = stepError(err, run.ctx.signal);
    for (const g of critical) g.finish(e);
    throw err;
  }
  for (const g of critical) g.finish(null);
  return { podsDeleted, explained };
}
