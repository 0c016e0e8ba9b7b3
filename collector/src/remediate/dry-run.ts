// policy.dryRun: a fatal incident is explained but nothing is changed. The pods are listed and each gets
// an Event saying what would be done, then the record is Held (reason DryRun) with the pods it would
// have failed and deleted. No gate is asked: a dry run holds every incident anyway.
import type { PodRef } from './cluster-api.js';
import type { IncidentRun } from './incident-run.js';
import type { Outcome } from './remediate-context.js';
import { affectedPods, listPods } from './pod-steps.js';
import { writeDryRunPodEvents } from './write-events.js';

export async function dryRun(run: IncidentRun, podList: Promise<PodRef[]> | null): Promise<Outcome> {
  const pods = await listPods(run, podList);
  if (pods.length > 0) await writeDryRunPodEvents(run, pods);
  const action = run.ctx.policy.nodeAction;
  return run.hold('DryRun', `dry run: would fail and delete ${pods.length} pod(s) and ${action} the Node`, {
    dryRun: true,
    affectedPods: affectedPods(pods),
  });
}
