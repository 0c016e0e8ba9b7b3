import { createRefutationLimit } from './refutation-limit.js';
import { expect } from 'chai';
import { pino } from 'pino';
import { defaultConfig } from '../config/config.js';
import { parseLabelSelector } from '../config/label-selector.js';
import type { NodeIncidentObject, NodeIncidentStatus, RemediationRequest } from '../record/incident-record.js';
import type { ClusterApi, EventSpec, PodRef } from './cluster-api.js';
import { NotLeaderError, remediateIncident, type RemediateContext } from './remediate-incident.js';
import type { RemediationProgress, StepReport } from '../record/remediation-steps.js';
import { createStormGuard } from './storm-guard.js';

/** In-memory stand-in for the API: records calls, keeps objects, can fail the first N calls of a kind. */
function memoryApi(pods: PodRef[]) {
  const calls: string[] = [];
  const incidents = new Map<string, NodeIncidentObject>();
  const live = new Map(pods.map((p) => [p.name, { ...p, annotations: {}, failed: false }]));
  const events = new Map<string, EventSpec>();
  const node = { exists: true, unschedulable: false, annotations: {} as Record<string, string>, taints: [] as string[] };
  let failNext = 0;
  const maybeFail = (what: string) => {
    calls.push(what);
    if (failNext > 0) {
      failNext--;
      throw Object.assign(new Error('service unavailable'), { code: 503, body: {} });
    }
  };
  const api: ClusterApi = {
    createIncident(body) {
      maybeFail('createIncident');
      if (incidents.has(body.metadata.name)) return Promise.resolve('exists');
      incidents.set(body.metadata.name, structuredClone(body));
      return Promise.resolve('created');
    },
    getIncident: (name) => Promise.resolve(incidents.get(name) ?? null),
    patchIncidentStatus(name, status: NodeIncidentStatus) {
      maybeFail(`status ${status.phase ?? ''}`);
      const r = incidents.get(name);
      if (r === undefined) return Promise.resolve('gone');
      r.status = { ...r.status, ...status };
      return Promise.resolve('done');
    },
    patchIncidentContext: () => Promise.resolve('done'),
    listPodsOnNode: () => Promise.resolve([...live.values()].map(({ namespace, name, uid }) => ({ namespace, name, uid }))),
    failPod(pod, _condition, a) {
      maybeFail(`fail ${pod.name}`);
      const p = live.get(pod.name);
      if (p === undefined) return Promise.resolve('gone');
      Object.assign(p.annotations, a);
      p.failed = true;
      return Promise.resolve('done');
    },
    deletePod(pod) {
      maybeFail(`delete ${pod.name}`);
      return Promise.resolve(live.delete(pod.name) ? 'done' : 'gone');
    },
    createEvent(e) {
      calls.push(`event ${e.regarding.kind} ${e.regarding.name}`);
      events.set(`${e.namespace}/${e.name}`, e);
      return Promise.resolve();
    },
    cordonNode(_n, a) {
      maybeFail('cordonNode');
      if (node.exists) {
        node.unschedulable = true;
        Object.assign(node.annotations, a);
      }
      return Promise.resolve(node.exists ? 'done' : 'gone');
    },
    taintNode(_n, t) {
      maybeFail('taintNode');
      if (!node.taints.includes(t.key)) node.taints.push(t.key);
      return Promise.resolve('done');
    },
    deleteNode() {
      maybeFail('deleteNode');
      const was = node.exists;
      node.exists = false;
      return Promise.resolve(was ? 'done' : 'gone');
    },
    nodeUid: () => Promise.resolve('uid'),
    nodeLiveness: () => Promise.resolve({ exists: node.exists, ready: true, leaseRenewedAt: Date.now() }),
    ping: () => Promise.resolve(),
  };
  return { api, calls, incidents, live, events, node, failFor: (n: number) => (failNext = n) };
}

const req: RemediationRequest = {
  incidentId: 'inc-1',
  node: 'w1',
  source: '10.0.0.1',
  kind: 'KernelPanic',
  fatal: true,
  summary: 'Kernel panic - not syncing: Fatal exception',
  cause: { kind: 'KernelOops', summary: 'BUG: kernel NULL pointer dereference' },
  kernelRelease: '6.1.0',
  lines: ['a', 'b'],
  detectedAt: 0,
};

/** Folds progress reports the way the history does: one entry per step name, in first-report order. */
function progressLog() {
  const steps = new Map<string, StepReport>();
  const reports: StepReport[] = [];
  const phases: string[] = [];
  const progress: RemediationProgress = {
    step(id, step) {
      expect(id).to.equal('inc-1');
      reports.push(step);
      steps.set(step.name, step);
    },
    phase(id, phase, reason) {
      expect(id).to.equal('inc-1');
      phases.push(reason === null ? phase : `${phase}/${reason}`);
    },
  };
  return { progress, steps, reports, phases, names: () => [...steps.keys()] };
}

function ctx(api: ClusterApi, policy: Partial<ReturnType<typeof defaultConfig>['policy']> = {}, progress: RemediationProgress = progressLog().progress): RemediateContext {
  const base = defaultConfig({ identity: 'c1', namespace: 'ns' }).policy;
  const p = { ...base, ...policy };
  return {
    api,
    retry: async (op) => {
      for (;;) {
        try {
          return await op();
        } catch (err) {
          if ((err as { code?: number }).code !== 503) throw err;
        }
      }
    },
    policy: p,
    exclude: parseLabelSelector(p.excludeNodeSelector),
    storm: createStormGuard(p.storm),
    cluster: { readyCount: () => 10, isReady: () => true, labelsOf: () => ({}) },
    confirmDead: () => Promise.resolve('not Ready'),
    identity: 'c1',
    now: () => 1000,
    logger: pino({ level: 'silent' }),
    observer: { podDeleted: () => undefined, nodeRemediated: () => undefined, held: () => undefined, completed: () => undefined, proved: () => undefined, refuted: () => undefined, refutedUnrecorded: () => undefined },
    proofs: { verdictOf: () => Promise.resolve({ verdict: 'dead', summary: 'no answer from 10.0.0.1:10250 in 3 attempts over 400 ms', attempts: [] }) },
    refutations: createRefutationLimit(),
    progress,
    assertLeader: () => undefined,
    signal: new AbortController().signal,
  };
}

const pods: PodRef[] = [
  { namespace: 'a', name: 'p1', uid: 'u1' },
  { namespace: 'b', name: 'p2', uid: 'u2' },
];

describe('remediateIncident', () => {
  it('fatal, immediate, delete: record → node annotated + cordoned → per pod explain+fail, delete → node delete → Events → Remediated', async () => {
    const m = memoryApi(pods);
    const out = await remediateIncident(req, ctx(m.api), { released: false });
    expect(out.phase).to.equal('Remediated');
    expect(out.podsDeleted).to.equal(2);
    expect(m.live.size).to.equal(0);
    expect(m.node.exists).to.equal(false);
    const p1 = m.calls.filter((c) => c.endsWith(' p1'));
    expect(p1).to.deep.equal(['fail p1', 'delete p1', 'event Pod p1']);
    const nodeSteps = m.calls.filter((c) => /Node|node/.test(c));
    expect(nodeSteps).to.deep.equal(['cordonNode', 'deleteNode', 'event Node w1']);
    const firstPodCall = m.calls.findIndex((c) => /^(fail|delete) p\d$/.test(c));
    expect(m.calls.indexOf('cordonNode')).to.be.within(0, firstPodCall - 1);
    expect(m.calls.indexOf('deleteNode')).to.be.greaterThan(m.calls.indexOf('delete p2'));
    // The Events wait for the destructive steps: each one earlier would delay the cleanup.
    expect(m.calls.findIndex((c) => c.startsWith('event '))).to.be.greaterThan(m.calls.indexOf('deleteNode'));
    expect(m.node.annotations).to.include({ 'lastgasp.dev/reason-code': 'KernelPanic' });
    expect(m.events.size).to.equal(3);
    const record = [...m.incidents.values()][0];
    expect(record?.status?.phase).to.equal('Remediated');
    expect(record?.status?.affectedPods).to.deep.equal(['a/p1', 'b/p2']);
  });

  it('pod Events that hang → pods and the Node go first; Remediated only once the Events exist', async () => {
    const m = memoryApi(pods);
    let release = (): void => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const create = m.api.createEvent.bind(m.api);
    m.api.createEvent = async (e) => {
      if (e.regarding.kind === 'Pod') await gate;
      return create(e);
    };
    const run = remediateIncident(req, ctx(m.api), { released: false });
    for (let i = 0; i < 1000 && m.node.exists; i++) await new Promise((resolve) => setImmediate(resolve));
    expect(m.node.exists).to.equal(false);
    expect(m.live.size).to.equal(0);
    expect([...m.incidents.values()][0]?.status?.phase).to.equal('Remediating');
    release();
    expect((await run).phase).to.equal('Remediated');
    expect([...m.events.values()].filter((e) => e.regarding.kind === 'Pod')).to.have.length(2);
  });

  it('leader lost after the pod deletes → the next leader writes the Events of the pods already gone, once', async () => {
    const m = memoryApi(pods);
    let checks = 0;
    const first = { ...ctx(m.api), assertLeader: () => {
      if (++checks >= 7) throw new NotLeaderError();
    } };
    const thrown = await remediateIncident(req, first, { released: false }).then(() => null, (err: unknown) => err);
    expect(thrown).to.be.instanceOf(NotLeaderError);
    expect(m.live.size, 'pods deleted by the first leader').to.equal(0);
    expect(m.events.size, 'no Event yet').to.equal(0);
    const out = await remediateIncident(req, ctx(m.api), { released: false });
    expect(out.phase).to.equal('Remediated');
    const podEvents = [...m.events.values()].filter((e) => e.regarding.kind === 'Pod');
    expect(podEvents.map((e) => `${e.regarding.namespace ?? ''}/${e.regarding.name}`).sort()).to.deep.equal(['a/p1', 'b/p2']);
    expect(m.node.exists).to.equal(false);
  });

  it('run twice (a new leader finishing) → the second run does nothing', async () => {
    const m = memoryApi(pods);
    await remediateIncident(req, ctx(m.api), { released: false });
    const before = m.calls.length;
    const again = await remediateIncident(req, ctx(m.api), { released: false });
    expect(again.phase).to.equal('Remediated');
    expect(m.calls.slice(before)).to.deep.equal(['createIncident']);
  });

  it('transient 503s are retried and the result is the same', async () => {
    const m = memoryApi(pods);
    m.failFor(3);
    const out = await remediateIncident(req, ctx(m.api), { released: false });
    expect(out.phase).to.equal('Remediated');
    expect(m.live.size).to.equal(0);
  });

  it('taint policy keeps the Node and taints it', async () => {
    const m = memoryApi(pods);
    await remediateIncident(req, ctx(m.api, { nodeAction: 'taint' }), { released: false });
    expect(m.node.exists).to.equal(true);
    expect(m.node.unschedulable).to.equal(true);
    expect(m.node.taints).to.deep.equal(['node.kubernetes.io/out-of-service']);
  });

  it('dry run → Held/DryRun, nothing patched or deleted, Events explain', async () => {
    const m = memoryApi(pods);
    const out = await remediateIncident(req, ctx(m.api, { dryRun: true }), { released: false });
    expect(out).to.include({ phase: 'Held', reason: 'DryRun' });
    expect(m.live.size).to.equal(2);
    expect([...m.live.values()].every((p) => !p.failed && Object.keys(p.annotations).length === 0)).to.equal(true);
    expect(m.node.exists).to.equal(true);
    expect(m.node.unschedulable).to.equal(false);
    expect(m.events.size).to.equal(3);
  });

  it('excluded node → Held/Excluded; released → remediated', async () => {
    const m = memoryApi(pods);
    const c = { ...ctx(m.api), cluster: { readyCount: () => 10, isReady: () => true, labelsOf: () => ({ 'node-role.kubernetes.io/control-plane': '' }) } };
    expect((await remediateIncident(req, c, { released: false })).reason).to.equal('Excluded');
    expect(m.live.size).to.equal(2);
    expect(m.node.unschedulable).to.equal(false);
    expect((await remediateIncident(req, c, { released: true })).phase).to.equal('Remediated');
    expect(m.live.size).to.equal(0);
  });

  it('confirm mode, node never looks dead → Held/NotConfirmed', async () => {
    const m = memoryApi(pods);
    const c = { ...ctx(m.api, { mode: 'confirm' as const }), confirmDead: () => Promise.resolve(null) };
    expect((await remediateIncident(req, c, { released: false })).reason).to.equal('NotConfirmed');
    expect(m.live.size).to.equal(2);
  });

  it('non-fatal (records configured) → Recorded; no Event of its own (its Event series explains it); nothing deleted', async () => {
    const m = memoryApi(pods);
    const out = await remediateIncident({ ...req, kind: 'SoftLockup', fatal: false }, ctx(m.api), { released: false });
    expect(out.phase).to.equal('Recorded');
    expect(m.live.size).to.equal(2);
    expect(m.node.exists).to.equal(true);
    expect(m.events.size).to.equal(0);
    expect([...m.incidents.values()][0]?.status?.phase).to.equal('Recorded');
  });
});

describe('remediateIncident progress (what GetIncident shows)', () => {
  it('fatal, delete, 2 pods → every step once, in order, ok with counts; Detected → Remediating → Remediated', async () => {
    const m = memoryApi(pods);
    const log = progressLog();
    let t = 1000;
    const c = { ...ctx(m.api, {}, log.progress), now: () => (t += 5) };
    await remediateIncident(req, c, { released: false });
    expect(log.names()).to.deep.equal([
      'record',
      'phase-detected',
      'prove-death',
      'list-pods',
      'cordon-node',
      'phase-remediating',
      'fail-pods',
      'delete-pods',
      'delete-node',
      'node-event',
      'pod-events',
      'phase-remediated',
    ]);
    for (const step of log.steps.values()) {
      expect(step.outcome, step.name).to.equal('ok');
      expect(step.finishedAt ?? 0, step.name).to.be.greaterThan(step.startedAt ?? Infinity);
    }
    expect(log.steps.get('fail-pods')?.message).to.equal('2 of 2 pod(s) annotated with the reason and set Failed with condition DisruptionTarget');
    expect(log.steps.get('cordon-node')?.message).to.equal('Node w1 annotated with the reason and cordoned (unschedulable)');
    expect(log.steps.get('delete-pods')?.message).to.equal('2 pod(s) deleted, grace period 0');
    expect(log.steps.get('record')?.message).to.match(/^NodeIncident w1-[0-9a-f]{10} created$/);
    expect(log.phases).to.deep.equal(['Detected', 'Remediating/NodeDied', 'Remediated/Remediated']);
    // Per-pod steps are reported once at the start and once at the end, not per pod.
    expect(log.reports.filter((r) => r.name === 'delete-pods').map((r) => r.outcome)).to.deep.equal(['pending', 'ok']);
  });

  it('taint policy → taint-node step names the taint', async () => {
    const m = memoryApi(pods);
    const log = progressLog();
    await remediateIncident(req, ctx(m.api, { nodeAction: 'taint' }, log.progress), { released: false });
    expect(log.steps.get('taint-node')?.message).to.equal('tainted node.kubernetes.io/out-of-service=nodeshutdown:NoExecute');
    expect(log.steps.has('delete-node')).to.equal(false);
  });

  it('storm limit reached → Held with its reason; no pod step', async () => {
    const m = memoryApi(pods);
    const log = progressLog();
    const c = ctx(m.api, { storm: { maxNodesPerWindow: 1, windowSeconds: 600, maxPercentOfReadyNodes: 100 } }, log.progress);
    c.storm.admit('other', 1000, c.cluster);
    await remediateIncident(req, c, { released: false });
    expect(log.names()).to.deep.equal(['record', 'phase-detected', 'prove-death', 'node-event', 'phase-held']);
    expect(log.steps.get('phase-held')?.message).to.match(/^StormLimit: 1 node\(s\) already remediated/);
    expect(log.phases.at(-1)).to.equal('Held/StormLimit');
  });

  it('the node answered the proof-of-death probe → Refuted: no pod failed or deleted, the Node kept, one Warning Event on it', async () => {
    const m = memoryApi(pods);
    const log = progressLog();
    const answered = '10.0.0.1:10250 answered (connection refused) 212 ms after the panic line';
    const c = { ...ctx(m.api, {}, log.progress), proofs: { verdictOf: () => Promise.resolve({ verdict: 'alive' as const, summary: answered, attempts: [] }) } };
    const outcome = await remediateIncident(req, c, { released: false });
    expect(outcome).to.include({ phase: 'Refuted', reason: 'NodeAnswered', podsDeleted: 0 });
    expect(log.names()).to.deep.equal(['record', 'phase-detected', 'prove-death', 'node-event', 'phase-refuted']);
    expect(m.live.size).to.equal(2);
    expect(m.node.exists).to.equal(true);
    const events = [...m.events.values()];
    expect(events.map((e) => [e.regarding.kind, e.reason])).to.deep.equal([['Node', 'LastGaspRefuted']]);
    expect(events[0]?.note).to.contain('possible forged last gasp').and.contain(answered);
  });

  it('a node refuted 3 times within the hour → a 4th forgery is probed but not recorded: no NodeIncident, no Event; a real death still acts', async () => {
    const m = memoryApi(pods);
    const answered = '10.0.0.1:10250 answered (connection refused) 2 ms after the panic line';
    const alive = { verdictOf: () => Promise.resolve({ verdict: 'alive' as const, summary: answered, attempts: [] }) };
    const unrecorded: string[] = [];
    const base = ctx(m.api, {}, { step: () => undefined, phase: () => undefined });
    const c = { ...base, proofs: alive, observer: { ...base.observer, refutedUnrecorded: (node: string) => unrecorded.push(node) } };
    for (let i = 0; i < 4; i++) {
      const outcome = await remediateIncident({ ...req, incidentId: `forged-${i}` }, c, { released: false });
      expect(outcome).to.include({ phase: 'Refuted', reason: 'NodeAnswered' });
    }
    expect(m.incidents.size).to.equal(3);
    expect(unrecorded).to.deep.equal([req.node]);
    // The same node really dies: its verdict is awaited first, then it is recorded and remediated.
    const dead = { ...c, proofs: base.proofs };
    expect((await remediateIncident({ ...req, incidentId: 'real' }, dead, { released: false })).phase).to.equal('Remediated');
    expect(m.incidents.size).to.equal(4);
    expect(m.node.exists).to.equal(false);
  });

  it('dry run → list-pods, pod-events, Held/DryRun', async () => {
    const m = memoryApi(pods);
    const log = progressLog();
    await remediateIncident(req, ctx(m.api, { dryRun: true }, log.progress), { released: false });
    expect(log.names()).to.deep.equal(['record', 'phase-detected', 'prove-death', 'list-pods', 'pod-events', 'node-event', 'phase-held']);
    expect(log.phases.at(-1)).to.equal('Held/DryRun');
  });

  it('dry run still proves: the verdict is written on the record and named in the Held message', async () => {
    const m = memoryApi(pods);
    const log = progressLog();
    const answered = '10.0.0.1:10250 answered (connection refused) 212 ms after the panic line';
    const c = { ...ctx(m.api, { dryRun: true }, log.progress), proofs: { verdictOf: () => Promise.resolve({ verdict: 'alive' as const, summary: answered, attempts: [] }) } };
    const outcome = await remediateIncident(req, c, { released: false });
    expect(outcome).to.include({ phase: 'Held', reason: 'DryRun' });
    expect([...m.incidents.values()][0]?.status?.proof).to.include({ verdict: 'alive', summary: answered, provedBy: 'c1' });
    expect(log.steps.get('phase-held')?.message).to.contain('answered (the real policy would refute it)').and.contain(answered);
    expect(m.live.size).to.equal(2);
  });

  it('a 403 on a pod delete → delete-pods failed with the error, phase Failed', async () => {
    const m = memoryApi(pods);
    m.api.deletePod = () => Promise.reject(Object.assign(new Error('forbidden'), { code: 403, body: {} }));
    const log = progressLog();
    const out = await remediateIncident(req, ctx(m.api, {}, log.progress), { released: false });
    expect(out.phase).to.equal('Failed');
    expect(log.steps.get('delete-pods')).to.include({ outcome: 'failed' });
    expect(log.steps.get('delete-pods')?.message).to.contain('HTTP 403: forbidden');
    expect(log.steps.get('phase-failed')?.outcome).to.equal('ok');
    expect(log.phases.at(-1)).to.equal('Failed/APIError');
  });

  it('leadership lost during the pods → pod steps left pending as interrupted; no final phase', async () => {
    const m = memoryApi(pods);
    const log = progressLog();
    let checks = 0;
    const c = {
      ...ctx(m.api, {}, log.progress),
      assertLeader: () => {
        if (++checks > 3) throw new NotLeaderError();
      },
    };
    let thrown: unknown = null;
    await remediateIncident(req, c, { released: false }).catch((err: unknown) => (thrown = err));
    expect(thrown).to.be.instanceOf(NotLeaderError);
    const annotate = log.steps.get('fail-pods');
    expect(annotate?.outcome).to.equal('pending');
    expect(annotate?.message).to.contain('interrupted');
    expect(log.phases).to.deep.equal(['Detected', 'Remediating/NodeDied']);
  });

  it('a record already Remediated (another replica finished) → that phase, nothing else done', async () => {
    const m = memoryApi(pods);
    await remediateIncident(req, ctx(m.api), { released: false });
    const log = progressLog();
    await remediateIncident(req, ctx(m.api, {}, log.progress), { released: false });
    expect(log.names()).to.deep.equal(['record']);
    expect(log.steps.get('record')?.message).to.match(/already existed \(phase Remediated\)$/);
    expect(log.phases).to.deep.equal(['Remediated']);
  });
});
