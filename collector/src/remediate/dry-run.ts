// policy.dryRun: a fatal incident is explained but nothing is changed. The pods are listed and each gets
// an Event saying what would be done, then the record is Held (reason DryRun) with the pods it would
// have failed and deleted. No gate is asked: a dry run holds every incident anyway. The proof of death
// still runs and its verdict is recorded, so the record says whether the real policy would have acted.
import type { PodRef } from './cluster-api.js';
import type { IncidentRun } from './incident-run.js';
import type { Outcome } from './remediate-context.js';
import { affectedPods, listPods } from './pod-steps.js';
import { proveForDryRun } from './proof-gate.js';
import { writeDryRunPodEvents } from './write-events.js';

const VERDICT_WORDS = { dead: 'proven dead', alive: 'answered (the real policy would refute it)', inconclusive: 'not proven dead' } as const;

export async function dryRun(run: IncidentRun, podList: Promise<PodRef[]> | null): Promise<Outcome> {
  const [verdict, pods] = await Promise.all([proveForDryRun(run), listPods(run, podList)]);
  if (pods.length > 0) await writeDryRunPodEvents(run, pods);
  const action = run.ctx.policy.nodeAction;
  const proof = verdict === null ? '' : `; the node ${VERDICT_WORDS[verdict.verdict]}: ${verdict.summary}`;
  return run.hold('DryRun', `dry run: would fail and delete ${pods.length} pod(s) and ${action} the Node${proof}`, {
    dryRun: true,
    affectedPods: affectedPods(pods),
  });
}
