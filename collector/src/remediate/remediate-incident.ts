// The steps for one incident on one Node, in order; every step idempotent and retried, so running the
// whole function again (a new leader, a restart, a release) finishes what is left and repeats nothing
// harmful. Order: record → policy gates (or the dry run) → annotate + cordon the Node → pods: annotate
// + fail + DisruptionTarget (one write), delete → Node: delete|taint|none → Events on the pods and the
// Node → record final phase. The cordon comes before any pod is touched: a failed or deleted pod's
// replacement must not be scheduled onto the dying Node. The Events come after the destructive steps
// because every write before them delays the cleanup (the API server is the bottleneck: on a
// 2-core control plane 110 more writes took about a second); the record turns Remediated only once
// they exist. Each step and each phase is reported to `ctx.progress` as it happens (incident-run.ts).
//
// This file is that order; each part has its own: policy-gate.ts (exclusion, storm limit, confirm),
// dry-run.ts, pod-steps.ts, node-action.ts, write-events.ts and incident-events.ts (the Events and their
// names). What the run needs from outside: remediate-context.ts.
import { remediationAnnotations } from '../record/explain.js';
import { FINAL_PHASES, buildRecord, phaseOf, proofOf, type Phase, type RemediationRequest } from '../record/incident-record.js';
import { describeError, isRetryable } from '../kube/api-errors.js';
import type { PodRef } from './cluster-api.js';
import { dryRun } from './dry-run.js';
import { IncidentRun } from './incident-run.js';
import { actOnNode, cordonNode } from './node-action.js';
import { affectedPods, failAndDeletePods, listPods, podKey, startPodList } from './pod-steps.js';
import { firstHold, openPolicyGates, type PolicyGate } from './policy-gate.js';
import { NotLeaderError, type Outcome, type RemediateContext, type RemediateOptions } from './remediate-context.js';
import { writeRemediationEvents } from './write-events.js';

export { NotLeaderError } from './remediate-context.js';
export type { Outcome, RemediateContext, RemediateOptions, RemediationObserver } from './remediate-context.js';

/** What the run started before writing the record, so it runs alongside that write. */
interface Started {
  /** The pod list, asked for in immediate mode; confirm mode lists the pods after its wait. */
  podList: Promise<PodRef[]> | null;
  /** Opened for a fatal incident unless released or in a dry run. */
  gates: readonly PolicyGate[];
}

/** The record as the run found it. */
interface RecordState {
  /** Its phase, or null when this run created it. */
  existing: Phase | null;
  /** Pods an earlier run of this incident listed (`namespace/name`). */
  earlierPods: string[];
}

/**
 * Runs (or finishes) the remediation of one incident. Throws NotLeaderError or the abort reason when it
 * must stop part-way (the record stays non-final and the next leader finishes it). A non-retryable API
 * error ends in phase Failed.
 */
export async function remediateIncident(req: RemediationRequest, ctx: RemediateContext, opts: RemediateOptions): Promise<Outcome> {
  const run = new IncidentRun(req, ctx);
  ctx.assertLeader();
  // Started before the record write, so they run alongside it.
  const started: Started = {
    podList: req.fatal && ctx.policy.mode === 'immediate' ? startPodList(run) : null,
    gates: req.fatal && !ctx.policy.dryRun && !opts.released ? openPolicyGates(run) : [],
  };
  if (await refutedUnrecorded(run, opts.released)) {
    return { name: run.name, phase: 'Refuted', reason: 'NodeAnswered', podsDeleted: 0 };
  }
  const record = await writeRecord(run);
  const { existing } = record;
  if (existing !== null && FINAL_PHASES.includes(existing)) {
    run.phase(existing);
    return { name: run.name, phase: existing, reason: 'already final', podsDeleted: 0 };
  }
  if (existing === 'Held' && !opts.released) {
    run.phase('Held', 'already held');
    return { name: run.name, phase: 'Held', reason: 'already held', podsDeleted: 0 };
  }
  if (existing === null && req.fatal) await run.status('Detected', { message: 'classified as fatal' });
  else if (existing === 'Detected' || existing === 'Remediating') run.phase(existing);
  try {
    const outcome = req.fatal ? await remediateFatal(run, started, record) : await recordOnly(run);
    ctx.observer.completed(outcome.phase, ctx.now() - req.detectedAt);
    return outcome;
  } catch (err) {
    if (err instanceof NotLeaderError || isRetryable(err)) throw err;
    run.log.error({ err }, 'remediation failed');
    // The phase is reported even when the record could not say so: this replica knows it failed.
    await run.status('Failed', { reason: 'APIError', message: describeError(err) }).catch(() => run.phase('Failed', 'APIError'));
    ctx.observer.completed('Failed', ctx.now() - req.detectedAt);
    return { name: run.name, phase: 'Failed', reason: describeError(err), podsDeleted: 0 };
  }
}

/**
 * A node with `maxRecords` refutations recorded lately: its verdict is awaited before any record is
 * written, and an answer ends the incident here — counted, logged, no NodeIncident, no Event (the hour's
 * Refuted Event already says it). True when it ended so. A dead or unclear verdict goes on as usual.
 */
async function refutedUnrecorded(run: IncidentRun, released: boolean): Promise<boolean> {
  const { ctx, req } = run;
  if (!req.fatal || released || !ctx.policy.proofOfDeath.enabled || ctx.refutations.mayRecord(req.node, ctx.now())) return false;
  const verdict = await ctx.proofs.verdictOf(run.name);
  if (verdict?.verdict !== 'alive') return false;
  run.log.warn({ detail: verdict.summary }, 'incident refuted again: not recorded (too many refutations of this node lately; possible flood of forged last gasps)');
  ctx.observer.refutedUnrecorded(req.node);
  run.phase('Refuted', `not recorded: ${verdict.summary}`);
  return true;
}

/** The `record` step: creates the NodeIncident, or reads the one an earlier run created. */
function writeRecord(run: IncidentRun): Promise<RecordState> {
  const { api, retry, identity } = run.ctx;
  const body = buildRecord(run.req, identity);
  return run.step(
    'record',
    async () => {
      const result = await retry(() => api.createIncident(body));
      if (result === 'created') return { existing: null, earlierPods: [] };
      const existing = await retry(() => api.getIncident(run.name));
      run.recordedProof = proofOf(existing);
      return { existing: phaseOf(existing), earlierPods: affectedPodsOf(existing) };
    },
    ({ existing }) =>
      existing === null ? `NodeIncident ${run.name} created` : `NodeIncident ${run.name} already existed (phase ${existing})`,
  );
}

/** A fatal incident, from the policy to the record's final phase. */
async function remediateFatal(run: IncidentRun, started: Started, record: RecordState): Promise<Outcome> {
  const { req, ctx } = run;
  if (ctx.policy.dryRun) return dryRun(run, started.podList);
  // A record already Remediating passed the gates in an earlier run.
  const hold = record.existing === 'Remediating' ? null : await firstHold(started.gates);
  if (hold !== null) return hold.refuted === true ? run.refute(hold.reason, hold.message) : run.hold(hold.reason, hold.message);
  ctx.assertLeader();
  const pods = await listPods(run, started.podList);
  const startedAt = run.iso();
  const annotations = remediationAnnotations(req, { prefix: ctx.policy.annotationPrefix, identity: ctx.identity, recordName: run.name });
  // Independent writes (the Node, the record), so made at once: both must be done before any pod.
  await Promise.all([
    cordonNode(run, annotations),
    run.status('Remediating', {
      reason: 'KernelPanic' === req.kind ? 'NodeDied' : req.kind,
      message: `failing and deleting ${pods.length} pod(s)`,
      affectedPods: affectedPods(pods),
      remediatedBy: ctx.identity,
      startedAt,
    }),
  ]);
  const { podsDeleted, explained } = await failAndDeletePods(run, pods, annotations);
  // Finishing an interrupted run: the pods it had already deleted still get their Event.
  const owedEvents = [...explained, ...deletedEarlier(record.earlierPods, pods)];
  const action = await actOnNode(run);
  // Remediated means fully explained: every pod's Event and the Node's exist.
  await writeRemediationEvents(run, owedEvents, action);
  await run.status('Remediated', {
    reason: 'Remediated',
    message: `${podsDeleted} pod(s) failed and deleted; node action: ${action}`,
    podsDeleted,
    nodeAction: action,
    remediatedBy: ctx.identity,
    completedAt: run.iso(),
  });
  run.log.info({ podsDeleted, nodeAction: action, latencyMs: ctx.now() - req.detectedAt }, 'node remediated');
  return { name: run.name, phase: 'Remediated', reason: null, podsDeleted };
}

/**
 * A non-fatal incident given a record of its own (policy.nonFatal.records): the record Recorded, nothing
 * else. Its Event is the Event series of its Node and reason (start/start-reports.ts), not one per record.
 */
async function recordOnly(run: IncidentRun): Promise<Outcome> {
  await run.status('Recorded', { reason: run.req.kind, message: 'non-fatal; recorded only' });
  return { name: run.name, phase: 'Recorded', reason: null, podsDeleted: 0 };
}

/** Pods an interrupted earlier run listed and this run did not find: already deleted, still owed an Event. */
function deletedEarlier(earlierPods: readonly string[], listed: readonly PodRef[]): PodRef[] {
  const keys = new Set(listed.map(podKey));
  const pods: PodRef[] = [];
  for (const ref of earlierPods) {
    const [namespace = '', name = ''] = ref.split('/');
    if (!keys.has(ref) && namespace !== '' && name !== '') pods.push({ namespace, name, uid: '' });
  }
  return pods;
}

/** `status.affectedPods` of a NodeIncident object (empty when absent or malformed). */
function affectedPodsOf(obj: unknown): string[] {
  const pods = (obj as { status?: { affectedPods?: unknown } } | null)?.status?.affectedPods;
  return Array.isArray(pods) ? pods.filter((p): p is string => typeof p === 'string') : [];
}
