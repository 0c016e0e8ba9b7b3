// The steps for one incident on one Node, in order; every step idempotent and retried, so running the
// whole function again (a new leader, a restart, a release) finishes what is left and repeats nothing
// harmful. Order: record → (policy) → annotate + cordon the Node → pods: annotate + fail +
// DisruptionTarget (one write), delete → Node: delete|taint|none → Events on the pods and the Node →
// record final phase. The cordon comes before any pod is touched: a failed or deleted pod's
// replacement must not be scheduled onto the dying Node. The Events come after the destructive steps
// because every write before them delays the cleanup (the API server is the bottleneck: on a
// 2-core control plane 110 more writes took about a second); the record turns Remediated only once
// they exist. Each step and each phase is reported to `ctx.progress` as it happens
// (remediation-progress.ts).
import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import type { RemediationPolicy } from '../config/config.js';
import type { LabelSelector } from '../config/label-selector.js';
import { nodeEventNote, podEventNote, remediationAnnotations } from '../record/explain.js';
import {
  FINAL_PHASES,
  MAX_AFFECTED_PODS,
  buildRecord,
  phaseOf,
  recordName,
  type NodeIncidentStatus,
  type Phase,
  type RemediationRequest,
} from '../record/incident-record.js';
import { describeError, isRetryable } from '../kube/api-errors.js';
import type { ClusterApi, EventSpec, Gone, PodRef } from './cluster-api.js';
import type { RemediationProgress, StepReport } from '../record/remediation-steps.js';
import { goneSuffix, PodStepGroup } from './remediation-progress.js';
import type { Retry } from '../kube/retry.js';
import type { ClusterView, StormGuard } from './storm-guard.js';

export const OUT_OF_SERVICE_TAINT = { key: 'node.kubernetes.io/out-of-service', value: 'nodeshutdown', effect: 'NoExecute' } as const;
/**
 * Pods handled at once on one node: all of them (a node runs at most ~110 by default), capped so one
 * incident cannot monopolise the API server or the connection pool.
 */
export const MAX_POD_CONCURRENCY = 128;
/** Events created at once; they come after the destructive steps and only need to keep up. */
const EVENT_CONCURRENCY = 16;

export class NotLeaderError extends Error {
  readonly code = 'ERR_LASTGASP_NOT_LEADER';
  constructor() {
    super('leadership lost; remediation left to the next leader');
    this.name = 'NotLeaderError';
  }
}

export interface RemediationObserver {
  podDeleted(): void;
  nodeRemediated(action: string): void;
  held(reason: string): void;
  completed(phase: Phase, latencyMs: number): void;
}

export interface RemediateContext {
  api: ClusterApi;
  retry: Retry;
  policy: RemediationPolicy;
  exclude: LabelSelector;
  storm: StormGuard;
  cluster: ClusterView & { labelsOf(node: string): Readonly<Record<string, string>> | null };
  /** confirm mode: the reason the node counts as dead, or null at the deadline. */
  confirmDead: (node: string, signal: AbortSignal) => Promise<string | null>;
  identity: string;
  now: () => number;
  logger: Logger;
  observer: RemediationObserver;
  /** Step-by-step progress for the status API. */
  progress: RemediationProgress;
  /** Throws NotLeaderError when this replica may no longer act. */
  assertLeader: () => void;
  /** Aborted when this replica stops leading or shuts down. */
  signal: AbortSignal;
}

export interface RemediateOptions {
  /** An operator released a Held record: skip exclusion, storm limits and confirmation. */
  released: boolean;
}

export interface Outcome {
  name: string;
  phase: Phase;
  reason: string | null;
  podsDeleted: number;
}

/** `status.affectedPods` of a NodeIncident object (empty when absent or malformed). */
function affectedPodsOf(obj: unknown): string[] {
  const pods = (obj as { status?: { affectedPods?: unknown } } | null)?.status?.affectedPods;
  return Array.isArray(pods) ? pods.filter((p): p is string => typeof p === 'string') : [];
}

function shortHash(...parts: string[]): string {
  const h = createHash('sha256');
  for (const p of parts) h.update(p).update('\0');
  return h.digest('hex').slice(0, 12);
}

function eventName(objectName: string, ...parts: string[]): string {
  return `${objectName.slice(0, 253 - 14)}.${shortHash(...parts)}`;
}

/** Why a step stopped: interrupted (left for this replica's next term or the next leader) or failed. */
function stepError(err: unknown, signal: AbortSignal): { interrupted: boolean; message: string } {
  if (err instanceof NotLeaderError || signal.aborted || isRetryable(err)) {
    return { interrupted: true, message: `interrupted (${describeError(err)}); to be finished` };
  }
  return { interrupted: false, message: describeError(err) };
}

const gone = (result: Gone, what: string): string => (result === 'gone' ? `${what} was already gone` : '');

async function mapLimit<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++] as T;
      await fn(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/** The per-pod steps, each reported once for all pods of the node. */
interface PodSteps {
  fail: PodStepGroup;
  delete: PodStepGroup;
}

class Run {
  readonly name: string;
  readonly log: Logger;
  /** A pod list already asked for, used by the next `listPods()`. */
  private podList: Promise<PodRef[]> | null = null;
  constructor(
    readonly req: RemediationRequest,
    readonly ctx: RemediateContext,
  ) {
    this.name = recordName(req.incidentId, req.node);
    this.log = ctx.logger;
  }

  iso(): string {
    return new Date(this.ctx.now()).toISOString();
  }

  report(step: StepReport): void {
    this.ctx.progress.step(this.req.incidentId, step);
  }

  phase(phase: Phase, reason: string | null = null): void {
    this.ctx.progress.phase(this.req.incidentId, phase, reason);
  }

  /** Runs one step, reported pending, then ok with `describe(result)` (or failed / interrupted). */
  async step<T>(name: string, op: () => Promise<T>, describe: (result: T) => string): Promise<T> {
    const startedAt = this.ctx.now();
    this.report({ name, outcome: 'pending', startedAt, finishedAt: null, message: '' });
    try {
      const result = await op();
      this.report({ name, outcome: 'ok', startedAt, finishedAt: this.ctx.now(), message: describe(result) });
      return result;
    } catch (err) {
      const e = stepError(err, this.ctx.signal);
      this.report({ name, outcome: e.interrupted ? 'pending' : 'failed', startedAt, finishedAt: e.interrupted ? null : this.ctx.now(), message: e.message });
      throw err;
    }
  }

  /**
   * Moves the record to `phase`: a step of its own (`phase-held`, ...) whose message is the reason and
   * detail the record carries, then reported as the phase.
   */
  async status(phase: Phase, extra: NodeIncidentStatus = {}): Promise<void> {
    const detail = [extra.reason, extra.message].filter((x) => x !== undefined && x !== '').join(': ');
    await this.step(
      `phase-${phase.toLowerCase()}`,
      () => this.ctx.retry(() => this.ctx.api.patchIncidentStatus(this.name, { phase, lastTransitionTime: this.iso(), ...extra })),
      () => (detail === '' ? `NodeIncident ${this.name} is ${phase}` : detail),
    );
    this.phase(phase, extra.reason ?? null);
  }

  async nodeEvent(action: string, note: string): Promise<void> {
    const ev: EventSpec = {
      name: eventName(this.req.node, this.name, action),
      namespace: 'default',
      regarding: { apiVersion: 'v1', kind: 'Node', name: this.req.node },
      reason: this.req.kind,
      action,
      note,
      type: 'Warning',
    };
    await this.ctx.retry(() => this.ctx.api.createEvent(ev));
  }

  async podEvent(pod: PodRef, dryRun: boolean): Promise<void> {
    await this.ctx.retry(() =>
      this.ctx.api.createEvent({
        // Named without the uid: a leader finishing this incident may know a deleted pod only by name.
        name: eventName(pod.name, this.name, pod.namespace),
        namespace: pod.namespace,
        regarding: { apiVersion: 'v1', kind: 'Pod', name: pod.name, namespace: pod.namespace, ...(pod.uid === '' ? {} : { uid: pod.uid }) },
        reason: this.req.kind,
        action: dryRun ? 'WouldTerminate' : 'Terminate',
        note: podEventNote(this.req, dryRun),
        type: 'Warning',
      }),
    );
  }

  async hold(reason: string, message: string, extra: NodeIncidentStatus = {}): Promise<Outcome> {
    this.log.warn({ reason, detail: message }, 'incident held');
    await this.step(
      'node-event',
      () => this.nodeEvent('Hold', nodeEventNote(this.req, `Remediation held (${reason}): ${message}`)),
      () => `Warning Event, reason ${this.req.kind}: remediation held (${reason})`,
    );
    await this.status('Held', { reason, message, ...extra });
    this.ctx.observer.held(reason);
    return { name: this.name, phase: 'Held', reason, podsDeleted: 0 };
  }

  /** Pods an earlier run of this incident listed (`namespace/name`), from an existing record. */
  earlierPods: string[] = [];

  /** Creates the record; returns the phase it already had (null for a new record). */
  async ensureRecord(): Promise<Phase | null> {
    const body = buildRecord(this.req, this.ctx.identity);
    return this.step(
      'record',
      async () => {
        const result = await this.ctx.retry(() => this.ctx.api.createIncident(body));
        if (result === 'created') return null;
        const existing = await this.ctx.retry(() => this.ctx.api.getIncident(this.name));
        this.earlierPods = affectedPodsOf(existing);
        return phaseOf(existing);
      },
      (existing) =>
        existing === null
          ? `NodeIncident ${this.name} created`
          : `NodeIncident ${this.name} already existed (phase ${existing})`,
    );
  }

  /** Asks for the pod list now (while the record is being written); `listPods()` then waits for it. */
  prefetchPods(): void {
    const list = this.ctx.retry(() => this.ctx.api.listPodsOnNode(this.req.node));
    // Observed here so a failure is not unhandled when the run ends before `listPods()`; it still throws there.
    list.catch(() => undefined);
    this.podList = list;
  }

  listPods(): Promise<PodRef[]> {
    const prefetched = this.podList;
    this.podList = null;
    return this.step(
      'list-pods',
      () => prefetched ?? this.ctx.retry(() => this.ctx.api.listPodsOnNode(this.req.node)),
      (pods) => `${pods.length} pod(s) on ${this.req.node}`,
    );
  }

  /** Policy gates before anything destructive. Null = go ahead. */
  async gate(existing: Phase | null, released: boolean): Promise<Outcome | null> {
    const { policy } = this.ctx;
    if (policy.dryRun) return this.dryRun();
    if (released || existing === 'Remediating') return null;
    const labels = this.ctx.cluster.labelsOf(this.req.node);
    if (labels !== null && this.ctx.exclude.matches(labels)) {
      return this.hold('Excluded', `the Node matches the exclusion selector "${policy.excludeNodeSelector}"`);
    }
    const admission = this.ctx.storm.admit(this.req.node, this.ctx.now(), this.ctx.cluster);
    if (!admission.admitted) return this.hold('StormLimit', admission.reason);
    if (policy.mode === 'confirm') {
      await this.status('Detected', { message: 'waiting for the node to look dead (kubelet Lease or Ready)' });
      const startedAt = this.ctx.now();
      this.report({ name: 'confirm-dead', outcome: 'pending', startedAt, finishedAt: null, message: 'waiting for the kubelet Lease to go stale or Ready to drop' });
      const dead = await this.ctx.confirmDead(this.req.node, this.ctx.signal);
      this.report({
        name: 'confirm-dead',
        outcome: dead === null ? 'failed' : 'ok',
        startedAt,
        finishedAt: this.ctx.now(),
        message: dead ?? `still alive after ${policy.confirmTimeoutSeconds}s`,
      });
      if (dead === null) {
        return this.hold(
          'NotConfirmed',
          `the node still renewed its kubelet Lease and was Ready after ${policy.confirmTimeoutSeconds}s`,
        );
      }
      this.log.info({ confirmation: dead }, 'node confirmed dead');
    }
    return null;
  }

  async dryRun(): Promise<Outcome> {
    const pods = await this.listPods();
    if (pods.length > 0) {
      await this.step(
        'pod-events',
        () => mapLimit(pods, EVENT_CONCURRENCY, (pod) => this.podEvent(pod, true)),
        () => `${pods.length} Warning Event(s) saying what would be done`,
      );
    }
    const action = this.ctx.policy.nodeAction;
    return this.hold('DryRun', `dry run: would fail and delete ${pods.length} pod(s) and ${action} the Node`, {
      dryRun: true,
      affectedPods: pods.slice(0, MAX_AFFECTED_PODS).map((p) => `${p.namespace}/${p.name}`),
    });
  }

  podSteps(total: number): PodSteps {
    const group = (name: string, describe: (c: { done: number; gone: number; total: number }) => string): PodStepGroup =>
      new PodStepGroup(name, total, describe, (step) => this.report(step), this.ctx.now);
    return {
      fail: group('fail-pods', (c) => `${c.done} of ${c.total} pod(s) annotated with the reason and set Failed with condition DisruptionTarget${goneSuffix(c.gone)}`),
      delete: group('delete-pods', (c) => `${c.done} pod(s) deleted, grace period 0${goneSuffix(c.gone)}`),
    };
  }

  /** One pod's steps: whether this call explained (annotated and failed) it, and whether it deleted it. */
  async pod(pod: PodRef, annotations: Record<string, string>, steps: PodSteps): Promise<{ explained: boolean; deleted: boolean }> {
    const { api, retry } = this.ctx;
    this.ctx.assertLeader();
    steps.fail.begin();
    const failed = await retry(() => api.failPod(pod, { reason: this.req.kind, message: this.req.summary }, annotations));
    steps.fail.end(failed);
    if (failed === 'gone') return { explained: false, deleted: false };
    this.ctx.assertLeader();
    steps.delete.begin();
    const deleted = await retry(() => api.deletePod(pod));
    steps.delete.end(deleted);
    if (deleted === 'done') this.ctx.observer.podDeleted();
    return { explained: true, deleted: deleted === 'done' };
  }

  /** Fails and deletes every pod; resolves with the pods this call explained (they get an Event). */
  async pods(pods: readonly PodRef[], annotations: Record<string, string>): Promise<{ podsDeleted: number; explained: PodRef[] }> {
    const steps = this.podSteps(pods.length);
    const critical = [steps.fail, steps.delete];
    const explained: PodRef[] = [];
    let podsDeleted = 0;
    try {
      await mapLimit(pods, MAX_POD_CONCURRENCY, async (pod) => {
        const result = await this.pod(pod, annotations, steps);
        if (result.deleted) podsDeleted++;
        // A pod found gone before it was failed was not explained by this run: no Event about it.
        if (result.explained) explained.push(pod);
      });
    } catch (err) {
      const e = stepError(err, this.ctx.signal);
      for (const g of critical) g.finish(e);
      throw err;
    }
    for (const g of critical) g.finish(null);
    return { podsDeleted, explained };
  }

  /** The Warning Events on the pods this run explained and on the Node, created together. */
  async events(pods: readonly PodRef[], action: string): Promise<void> {
    const node = this.req.node;
    const sentence =
      action === 'delete' ? 'The Node was deleted.' : action === 'taint' ? `The Node was tainted ${OUT_OF_SERVICE_TAINT.key}.` : 'The Node was left in place.';
    const podEvents = new PodStepGroup('pod-events', pods.length, (c) => `${c.done} Warning Event(s), reason ${this.req.kind}`, (step) => this.report(step), this.ctx.now);
    const nodeEvent = this.step('node-event', () => this.nodeEvent('Remediate', nodeEventNote(this.req, sentence)), () => `Warning Event on Node ${node}, reason ${this.req.kind}`);
    try {
      await mapLimit(pods, EVENT_CONCURRENCY, async (pod) => {
        podEvents.begin();
        await this.podEvent(pod, false);
        podEvents.end('done');
      });
    } catch (err) {
      podEvents.finish(stepError(err, this.ctx.signal));
      await nodeEvent.catch(() => undefined);
      throw err;
    }
    podEvents.finish(null);
    await nodeEvent;
  }

  /** Annotates the Node with the reason and marks it unschedulable; a Node already gone is fine. */
  cordon(annotations: Record<string, string>): Promise<Gone> {
    const node = this.req.node;
    return this.step(
      'cordon-node',
      () => this.ctx.retry(() => this.ctx.api.cordonNode(node, annotations)),
      (r) => gone(r, 'the Node') || `Node ${node} annotated with the reason and cordoned (unschedulable)`,
    );
  }

  async node(): Promise<string> {
    const { api, retry, policy } = this.ctx;
    const node = this.req.node;
    const action = policy.nodeAction;
    this.ctx.assertLeader();
    if (action === 'delete') {
      await this.step('delete-node', () => retry(() => api.deleteNode(node)), (r) => gone(r, 'the Node') || `Node ${node} deleted`);
    } else if (action === 'taint') {
      const taint = `${OUT_OF_SERVICE_TAINT.key}=${OUT_OF_SERVICE_TAINT.value}:${OUT_OF_SERVICE_TAINT.effect}`;
      await this.step('taint-node', () => retry(() => api.taintNode(node, OUT_OF_SERVICE_TAINT)), (r) => gone(r, 'the Node') || `tainted ${taint}`);
    } else {
      const t = this.ctx.now();
      this.report({ name: 'keep-node', outcome: 'skipped', startedAt: t, finishedAt: t, message: 'policy nodeAction none: the Node is left as it is' });
    }
    this.ctx.observer.nodeRemediated(action);
    return action;
  }

  async fatal(existing: Phase | null, released: boolean): Promise<Outcome> {
    const held = await this.gate(existing, released);
    if (held !== null) return held;
    this.ctx.assertLeader();
    const pods = await this.listPods();
    const startedAt = this.iso();
    const annotations = remediationAnnotations(this.req, {
      prefix: this.ctx.policy.annotationPrefix,
      identity: this.ctx.identity,
      recordName: this.name,
    });
    // Independent writes (the Node, the record), so made at once: both must be done before any pod.
    await Promise.all([
      this.cordon(annotations),
      this.status('Remediating', {
        reason: 'KernelPanic' === this.req.kind ? 'NodeDied' : this.req.kind,
        message: `failing and deleting ${pods.length} pod(s)`,
        affectedPods: pods.slice(0, MAX_AFFECTED_PODS).map((p) => `${p.namespace}/${p.name}`),
        remediatedBy: this.ctx.identity,
        startedAt,
      }),
    ]);
    const { podsDeleted, explained } = await this.pods(pods, annotations);
    // Finishing an interrupted run: the pods it had already deleted still get their Event.
    const listed = new Set(pods.map((p) => `${p.namespace}/${p.name}`));
    for (const ref of this.earlierPods) {
      const [namespace = '', name = ''] = ref.split('/');
      if (!listed.has(ref) && namespace !== '' && name !== '') explained.push({ namespace, name, uid: '' });
    }
    const action = await this.node();
    // Remediated means fully explained: every pod's Event and the Node's exist.
    await this.events(explained, action);
    await this.status('Remediated', {
      reason: 'Remediated',
      message: `${podsDeleted} pod(s) failed and deleted; node action: ${action}`,
      podsDeleted,
      nodeAction: action,
      remediatedBy: this.ctx.identity,
      completedAt: this.iso(),
    });
    this.log.info({ podsDeleted, nodeAction: action, latencyMs: this.ctx.now() - this.req.detectedAt }, 'node remediated');
    return { name: this.name, phase: 'Remediated', reason: null, podsDeleted };
  }

  async nonFatal(): Promise<Outcome> {
    await this.step('node-event', () => this.nodeEvent('Record', nodeEventNote(this.req, 'Recorded; nothing was changed.')), () => `Warning Event, reason ${this.req.kind}; nothing changed`);
    await this.status('Recorded', { reason: this.req.kind, message: 'non-fatal; recorded only' });
    return { name: this.name, phase: 'Recorded', reason: null, podsDeleted: 0 };
  }
}

/**
 * Runs (or finishes) the remediation of one incident. Throws NotLeaderError or the abort reason when it
 * must stop part-way (the record stays non-final and the next leader finishes it). A non-retryable API
 * error ends in phase Failed.
 */
export async function remediateIncident(
  req: RemediationRequest,
  ctx: RemediateContext,
  opts: RemediateOptions,
): Promise<Outcome> {
  const run = new Run(req, ctx);
  ctx.assertLeader();
  // Immediate mode lists the pods while the record is written; confirm mode lists them after the wait.
  if (req.fatal && ctx.policy.mode === 'immediate') run.prefetchPods();
  const existing = await run.ensureRecord();
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
    const outcome = req.fatal ? await run.fatal(existing, opts.released) : await run.nonFatal();
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
