// The collector as a real process against a real control plane (kube-apiserver, controller-manager,
// scheduler, kwok): real UDP datagrams from a loopback address that a kwok Node reports as its
// InternalIP. One cluster for the file; each scenario has its own nodes and, where the policy differs,
// its own collector process (own Lease, so they never compete).
import { createSocket } from 'node:dgram';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BatchV1Api, CoreV1Api, CustomObjectsApi, PatchStrategy, Watch, setHeaderOptions, type V1Pod } from '@kubernetes/client-node';
import { createNode, createPod, stopNodeHeartbeat, useCluster, type Cluster } from '@lastgasp/testbed/cluster';
import { waitFor } from '@lastgasp/testbed/testing';
import { startCollector as startCollectorProcess, type CollectorProcess } from '@lastgasp/testbed/collector';
import { expect } from 'chai';
import { incidentsFor, NODE_INCIDENTS as CR, nodeExists, podsOn } from '../../test-support/cluster-reads.js';
import { formatExtended } from '../parse/format-extended.js';

const CRD = fileURLToPath(new URL('../../../deploy/helm/lastgasp/crds/nodeincidents.lastgasp.dev.yaml', import.meta.url));
const WAIT = { timeoutMs: 90_000, intervalMs: 300 };
const DIST_CLIENT_NODE = fileURLToPath(new URL('../../dist/kube/client-node.js', import.meta.url));

let tmp = '';
const running = new Set<CollectorProcess>();

/**
 * The collector as it ships: compiled, with @kubernetes/client-node bundled down to what it uses
 * (collector/scripts/bundle-client-node.mjs). `npm run build` makes it; a stale build is tested as is.
 */
async function assertShippedBuild(): Promise<void> {
  const text = await readFile(DIST_CLIENT_NODE, 'utf8').catch(() => '');
  const bundled = text.includes('KubeConfig') && !/(?:\bfrom|\bimport\()\s*["']@kubernetes\/client-node/.test(text);
  if (!bundled) {
    throw new Error(`${DIST_CLIENT_NODE} is missing or not the client-node bundle: run \`npm run build\` first`);
  }
}

interface StartOptions {
  /** Wait until it leads (default true). */
  expectLeader?: boolean;
  /** `dist`: what ships (see assertShippedBuild); default the sources. */
  entry?: 'source' | 'dist';
}

/**
 * These scenarios prove the remediation steps; their Nodes sit on loopback, which answers every probe, so
 * proof of death is off here. It is proven with addresses that really fall silent in
 * proof-of-death.integration.test.ts.
 */
const NO_PROOF = { proofOfDeath: { enabled: false } };

async function startCollector(cluster: Cluster, name: string, config: Record<string, unknown>, opts: StartOptions = {}): Promise<CollectorProcess> {
  // Each scenario's collector is an installation of its own sharing this cluster: a new leader rebuilds
  // its storm window from the NodeIncident records, so the records of earlier scenarios go first.
  await cluster.kubeConfig.makeApiClient(CustomObjectsApi).deleteCollectionClusterCustomObject(CR);
  const c = await startCollectorProcess({
    name,
    dir: tmp,
    entry: opts.entry ?? 'source',
    configDefaults: {
      kubeconfig: cluster.kubeconfigPath,
      udpListen: '127.0.0.1:0',
      grpcListen: '127.0.0.1:0',
      httpListen: '127.0.0.1:0',
      identity: name,
      leaseNamespace: 'default',
      leaseName: `lease-${name}`,
      logLevel: 'debug',
      leaderElection: { leaseDurationSeconds: 6, renewDeadlineSeconds: 4, retryPeriodSeconds: 1 },
    },
    config,
    startTimeoutMs: 60_000,
  });
  running.add(c);
  void c.exited.then(() => running.delete(c));
  // Leadership: seen from its log.
  if (opts.expectLeader ?? true) await c.waitForLog('became leader', 30_000);
  return c;
}

let seq = 1000;
/** Sends a panic as the kernel would: an oops line, then the panic line, from `fromIp`. */
async function sendPanic(fromIp: string, ports: number[], userdata?: Record<string, string>): Promise<void> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind({ address: fromIp, port: 0 }, resolve));
  const base = seq;
  seq += 10;
  const lines = [
    'sysrq: Trigger a crash',
    'Kernel panic - not syncing: sysrq triggered crash',
    'CPU: 0 PID: 1 Comm: sh Not tainted 6.1.0-56-amd64 #1  Debian 6.1.158-1',
  ];
  for (const [i, text] of lines.entries()) {
    for (const d of formatExtended({ seq: base + i, timestampUs: base * 1000 + i, text, level: i === 1 ? 0 : 6, userdata })) {
      for (const port of ports) {
        await new Promise<void>((resolve, reject) => socket.send(d, port, '127.0.0.1', (err) => (err ? reject(err) : resolve())));
      }
    }
  }
  socket.close();
}

async function nodeWithPods(cluster: Cluster, node: string, ip: string, pods: number, labels: Record<string, string> = {}): Promise<string[]> {
  await createNode(cluster, node, { addresses: [{ type: 'InternalIP', address: ip }], labels });
  const names: string[] = [];
  for (let i = 0; i < pods; i++) {
    const name = `${node}-p${i}`;
    await createPod(cluster, { namespace: 'work', name, nodeName: node });
    names.push(name);
  }
  await waitFor(`${pods} pods Running on ${node}`, async () => {
    const list = await podsOn(cluster, node);
    return list.length === pods && list.every((p) => p.status?.phase === 'Running');
  }, WAIT);
  return names;
}

function phase(obj: Record<string, unknown> | undefined): string | undefined {
  return (obj?.status as { phase?: string } | undefined)?.phase;
}

async function eventsAbout(cluster: Cluster, namespace: string, name: string): Promise<{ reason?: string; note?: string; type?: string }[]> {
  const core = cluster.kubeConfig.makeApiClient(CoreV1Api);
  const list = await core.listNamespacedEvent({ namespace, fieldSelector: `involvedObject.name=${name}` });
  return list.items.map((e) => ({ reason: e.reason, note: e.message, type: e.type }));
}

/** Watches pods of a node and remembers the last state each had before it disappeared. */
/**
 * Watches the pods bound to a node and keeps, per pod, the newest version seen with phase Failed (else
 * the newest seen). A watch, not polling: the collector patches and deletes a pod within milliseconds.
 * kwok (the fake kubelet) may set a pod back to Running before the delete lands; a dead kubelet would not.
 */
async function trackPods(cluster: Cluster, node: string): Promise<{ last: Map<string, V1Pod>; stop: () => void }> {
  const last = new Map<string, V1Pod>();
  const request = await new Watch(cluster.kubeConfig).watch(
    '/api/v1/pods',
    { fieldSelector: `spec.nodeName=${node}` },
    (_type: string, pod: V1Pod) => {
      const name = pod.metadata?.name ?? '';
      if (pod.status?.phase === 'Failed' || last.get(name)?.status?.phase !== 'Failed') last.set(name, pod);
    },
    () => undefined,
  );
  return { last, stop: () => request.abort() };
}

describe('collector remediation against a real control plane', function () {
  this.timeout(300_000);
  const cluster = useCluster();

  before(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'lastgasp-remediate-'));
    await cluster().installCrds([CRD]);
  });
  afterEach(function () {
    if (this.currentTest?.state === 'failed') {
      for (const c of running) {
        const lines = c.logText().split('\n').filter((l) => !l.includes('"level":20') && !l.includes('"msg":"restarting watch"'));
        process.stderr.write(`--- collector output ---\n${lines.slice(-60).join('\n').slice(-12000)}\n`);
      }
    }
  });
  after(async () => {
    for (const c of [...running]) await c.kill();
    if (tmp !== '') await rm(tmp, { recursive: true, force: true });
  });

  describe('policy: delete (default)', () => {
    let col: CollectorProcess;
    before(async () => {
      await assertShippedBuild();
      col = await startCollector(cluster(), 'del', { policy: { ...NO_PROOF, storm: { maxNodesPerWindow: 50, maxPercentOfReadyNodes: 100 } } }, { entry: 'dist' });
    });
    after(() => col.stop());

    it('panic from a Node address → pods annotated, Failed + DisruptionTarget, deleted; Events; NodeIncident Remediated; Node deleted', async () => {
      const c = cluster();
      const pods = await nodeWithPods(c, 'del-1', '127.0.1.1', 3);
      const tracker = await trackPods(c, 'del-1');
      await sendPanic('127.0.1.1', [col.udpPort]);
      try {
        await waitFor('pods gone and Node deleted', async () => (await podsOn(c, 'del-1')).length === 0 && !(await nodeExists(c, 'del-1')), WAIT);
      } finally {
        tracker.stop();
      }
      // Remediated only once every Event exists (they are written after the destructive steps).
      const records = await waitFor('NodeIncident Remediated', async () => {
        const r = await incidentsFor(c, 'del-1');
        return r.length === 1 && phase(r[0]) === 'Remediated' ? r : false;
      }, WAIT);
      for (const name of pods) {
        const seen = tracker.last.get(name);
        const ann = seen?.metadata?.annotations ?? {};
        expect(ann['lastgasp.dev/reason-code'], name).to.equal('KernelPanic');
        expect(ann['lastgasp.dev/terminated-by']).to.equal('del');
        expect(ann['lastgasp.dev/termination-reason']).to.match(/Node del-1 died in a kernel panic .*Kernel panic - not syncing: sysrq triggered crash/);
        expect(ann['lastgasp.dev/incident']).to.match(/^del-1-[0-9a-f]{10}$/);
        expect(seen?.status?.phase).to.equal('Failed');
        const cond = seen?.status?.conditions?.find((x) => x.type === 'DisruptionTarget');
        expect(cond?.status).to.equal('True');
        expect(cond?.reason).to.equal('KernelPanic');
        const events = await eventsAbout(c, 'work', name);
        expect(events.map((e) => e.reason)).to.include('KernelPanic');
      }
      expect((records[0]?.status as { podsDeleted?: number }).podsDeleted).to.equal(3);
      expect((records[0]?.status as { nodeAction?: string }).nodeAction).to.equal('delete');
      const nodeEvents = await eventsAbout(c, 'default', 'del-1');
      expect(nodeEvents.some((e) => e.reason === 'KernelPanic' && e.type === 'Warning')).to.equal(true);
    });

    it('forged: a panic from an address that is no Node\'s, and a userdata node that disagrees → nothing changes', async () => {
      const c = cluster();
      await nodeWithPods(c, 'forge-1', '127.0.2.1', 2);
      await nodeWithPods(c, 'forge-2', '127.0.2.2', 1);
      await sendPanic('127.0.2.99', [col.udpPort]);
      await sendPanic('127.0.2.1', [col.udpPort], { node: 'forge-2' });
      await waitFor('both incidents rejected in the log', () => {
        const out = col.logText();
        return Promise.resolve(out.includes('"reason":"unknown-source"') && out.includes('"reason":"node-mismatch"'));
      }, WAIT);
      expect(await nodeExists(c, 'forge-1')).to.equal(true);
      expect(await nodeExists(c, 'forge-2')).to.equal(true);
      const pods = [...(await podsOn(c, 'forge-1')), ...(await podsOn(c, 'forge-2'))];
      expect(pods).to.have.length(3);
      for (const p of pods) {
        expect(p.status?.phase).to.equal('Running');
        expect(p.metadata?.annotations?.['lastgasp.dev/reason-code']).to.equal(undefined);
      }
      expect(await incidentsFor(c, 'forge-1')).to.have.length(0);
      expect(await incidentsFor(c, 'forge-2')).to.have.length(0);
    });

    it('a Job with podFailurePolicy Ignore on DisruptionTarget gets a replacement pod and no counted failure', async () => {
      const c = cluster();
      const batch = c.kubeConfig.makeApiClient(BatchV1Api);
      // kwok completes Job-owned pods the moment they run, so the Job's pod is bound to a Node no kubelet
      // serves: it stays Pending, which is all a panic needs to find.
      await createNode(c, 'job-a', { addresses: [{ type: 'InternalIP', address: '127.0.3.1' }], kwok: false });
      await batch.createNamespacedJob({
        namespace: 'work',
        body: {
          metadata: { name: 'panic-job' },
          spec: {
            backoffLimit: 0,
            podFailurePolicy: { rules: [{ action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] }] },
            template: {
              spec: {
                restartPolicy: 'Never',
                nodeName: 'job-a',
                tolerations: [{ operator: 'Exists' }],
                automountServiceAccountToken: false,
                containers: [{ name: 'main', image: 'registry.invalid/lastgasp/fake:1' }],
              },
            },
          },
        },
      });
      const core = c.kubeConfig.makeApiClient(CoreV1Api);
      const jobPods = async () => (await core.listNamespacedPod({ namespace: 'work', labelSelector: 'job-name=panic-job' })).items;
      const first = await waitFor('the Job pod on job-a', async () => (await jobPods())[0] ?? false, WAIT);
      await sendPanic('127.0.3.1', [col.udpPort]);
      await waitFor('a replacement pod and no counted failure', async () => {
        const pods = await jobPods();
        const job = await batch.readNamespacedJob({ namespace: 'work', name: 'panic-job' });
        const replacement = pods.find((p) => p.metadata?.uid !== first.metadata?.uid);
        return replacement !== undefined && (job.status?.failed ?? 0) === 0 && !(job.status?.conditions ?? []).some((x) => x.type === 'Failed') ? { job, replacement } : false;
      }, { ...WAIT, describe: async () => JSON.stringify({ pods: (await jobPods()).map((p) => [p.metadata?.name, p.spec?.nodeName, p.status?.phase]), job: (await batch.readNamespacedJob({ namespace: 'work', name: 'panic-job' })).status }) });
    });
  });

  describe('policy: taint', () => {
    let col: CollectorProcess;
    before(async () => {
      col = await startCollector(cluster(), 'taint', { policy: { ...NO_PROOF, nodeAction: 'taint' } });
    });
    after(() => col.stop());

    it('panic → pods deleted, Node kept with the out-of-service taint', async () => {
      const c = cluster();
      await nodeWithPods(c, 'taint-1', '127.0.5.1', 2);
      await sendPanic('127.0.5.1', [col.udpPort]);
      const core = c.kubeConfig.makeApiClient(CoreV1Api);
      const node = await waitFor('the out-of-service taint', async () => {
        const n = await core.readNode({ name: 'taint-1' });
        return (n.spec?.taints ?? []).some((t) => t.key === 'node.kubernetes.io/out-of-service' && t.value === 'nodeshutdown' && t.effect === 'NoExecute') ? n : false;
      }, WAIT);
      expect(node.metadata?.annotations?.['lastgasp.dev/reason-code']).to.equal('KernelPanic');
      expect(node.spec?.unschedulable, 'cordoned').to.equal(true);
      await waitFor('pods gone', async () => (await podsOn(c, 'taint-1')).length === 0, WAIT);
      await waitFor('NodeIncident Remediated', async () => phase((await incidentsFor(c, 'taint-1'))[0]) === 'Remediated', WAIT);
    });
  });

  describe('policy: dry run', () => {
    let col: CollectorProcess;
    before(async () => {
      col = await startCollector(cluster(), 'dry', { policy: { ...NO_PROOF, dryRun: true } });
    });
    after(() => col.stop());

    it('panic → nothing deleted, all explained (NodeIncident Held/DryRun, Events on pods and Node)', async () => {
      const c = cluster();
      const pods = await nodeWithPods(c, 'dry-1', '127.0.6.1', 2);
      await sendPanic('127.0.6.1', [col.udpPort]);
      const records = await waitFor('NodeIncident Held', async () => {
        const r = await incidentsFor(c, 'dry-1');
        return phase(r[0]) === 'Held' ? r : false;
      }, WAIT);
      const status = records[0]?.status as { reason?: string; affectedPods?: string[]; dryRun?: boolean };
      expect(status.reason).to.equal('DryRun');
      expect(status.dryRun).to.equal(true);
      expect(status.affectedPods).to.have.members(pods.map((p) => `work/${p}`));
      for (const name of pods) {
        const events = await eventsAbout(c, 'work', name);
        expect(events.some((e) => e.reason === 'KernelPanic' && /Dry run/.test(e.note ?? ''))).to.equal(true);
      }
      expect((await eventsAbout(c, 'default', 'dry-1')).some((e) => /dry run/.test(e.note ?? ''))).to.equal(true);
      expect(await nodeExists(c, 'dry-1')).to.equal(true);
      expect((await c.kubeConfig.makeApiClient(CoreV1Api).readNode({ name: 'dry-1' })).spec?.unschedulable, 'cordoned').to.not.equal(true);
      const live = await podsOn(c, 'dry-1');
      expect(live).to.have.length(2);
      for (const p of live) expect(p.status?.phase).to.equal('Running');
    });
  });

  describe('storm limits', () => {
    let col: CollectorProcess;
    before(async () => {
      col = await startCollector(cluster(), 'storm', { policy: { ...NO_PROOF, storm: { maxNodesPerWindow: 2, windowSeconds: 600, maxPercentOfReadyNodes: 100 } } });
    });
    after(() => col.stop());

    it('panics from 40 % of 10 nodes at once → 2 remediated, the rest Held with Events', async () => {
      const c = cluster();
      for (let i = 1; i <= 10; i++) await nodeWithPods(c, `storm-${i}`, `127.0.7.${i}`, 1);
      await Promise.all([1, 2, 3, 4].map((i) => sendPanic(`127.0.7.${i}`, [col.udpPort])));
      const phases = await waitFor('4 records in final or held phases', async () => {
        const all = await Promise.all([1, 2, 3, 4].map(async (i) => phase((await incidentsFor(c, `storm-${i}`))[0])));
        return all.every((p) => p === 'Remediated' || p === 'Held') ? all : false;
      }, WAIT);
      expect(phases.filter((p) => p === 'Remediated')).to.have.length(2);
      expect(phases.filter((p) => p === 'Held')).to.have.length(2);
      for (const [i, p] of phases.entries()) {
        const node = `storm-${i + 1}`;
        if (p !== 'Held') continue;
        expect(await nodeExists(c, node)).to.equal(true);
        expect((await eventsAbout(c, 'default', node)).some((e) => /held \(StormLimit\)/.test(e.note ?? ''))).to.equal(true);
      }
      for (let i = 5; i <= 10; i++) expect(await nodeExists(c, `storm-${i}`)).to.equal(true);

      // An operator releases one held incident with the annotation on its NodeIncident.
      const heldNode = `storm-${phases.indexOf('Held') + 1}`;
      const held = (await incidentsFor(c, heldNode))[0];
      const name = (held?.metadata as { name?: string } | undefined)?.name ?? '';
      const custom = c.kubeConfig.makeApiClient(CustomObjectsApi);
      await custom.patchClusterCustomObject(
        { ...CR, name, body: { metadata: { annotations: { 'lastgasp.dev/release': 'true' } } } },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      );
      await waitFor(`released ${name} Remediated`, async () => phase((await incidentsFor(c, heldNode))[0]) === 'Remediated', WAIT);
      expect(await nodeExists(c, heldNode)).to.equal(false);
      expect(await podsOn(c, heldNode)).to.have.length(0);
    });
  });

  describe('policy: confirm', () => {
    let col: CollectorProcess;
    before(async () => {
      col = await startCollector(cluster(), 'confirm', {
        policy: { ...NO_PROOF, mode: 'confirm', confirmTimeoutSeconds: 30, confirmLeaseStaleSeconds: 15, storm: { maxNodesPerWindow: 50, maxPercentOfReadyNodes: 100 } },
      });
    });
    after(() => col.stop());

    it('panic from a node whose kubelet Lease stops → remediated; from one still renewing → Held NotConfirmed', async () => {
      const c = cluster();
      await nodeWithPods(c, 'confirm-dead', '127.0.3.1', 1);
      await nodeWithPods(c, 'confirm-alive', '127.0.3.2', 1);
      // kwok renews the Lease of the Nodes it runs every 10 s; this one's heartbeat stops, as in a crash.
      await stopNodeHeartbeat(c, 'confirm-dead');
      await sendPanic('127.0.3.1', [col.udpPort]);
      await sendPanic('127.0.3.2', [col.udpPort]);
      const records = await waitFor('both records final or held', async () => {
        const [dead, alive] = await Promise.all([incidentsFor(c, 'confirm-dead'), incidentsFor(c, 'confirm-alive')]);
        const done = phase(dead[0]) === 'Remediated' && phase(alive[0]) === 'Held';
        return done ? { dead: dead[0], alive: alive[0] } : false;
      }, { timeoutMs: 120_000, intervalMs: 500 });
      expect(await nodeExists(c, 'confirm-dead')).to.equal(false);
      expect((records.alive?.status as { reason?: string }).reason).to.equal('NotConfirmed');
      expect(await nodeExists(c, 'confirm-alive')).to.equal(true);
      expect(await podsOn(c, 'confirm-alive')).to.have.length(1);
    });
  });

  describe('HA', () => {
    it('leader killed in the middle of a remediation → the other replica finishes it', async () => {
      const c = cluster();
      // client-go's default timings: a loaded 2-core machine can delay a renewal by seconds.
      const timings = { leaderElection: { leaseDurationSeconds: 15, renewDeadlineSeconds: 10, retryPeriodSeconds: 2 } };
      const a = await startCollector(c, 'ha-a', { leaseName: 'lease-ha', ...timings, policy: NO_PROOF });
      const b = await startCollector(c, 'ha-b', { leaseName: 'lease-ha', ...timings, policy: NO_PROOF }, { expectLeader: false });
      try {
        await nodeWithPods(c, 'ha-1', '127.0.8.1', 100);
        await sendPanic('127.0.8.1', [a.udpPort, b.udpPort]);
        const core = c.kubeConfig.makeApiClient(CoreV1Api);
        const left = await waitFor('the leader to start on the pods', async () => {
          const pods = (await core.listNamespacedPod({ namespace: 'work', fieldSelector: 'spec.nodeName=ha-1' })).items;
          const started = pods.length < 100 || pods.some((p) => p.metadata?.annotations?.['lastgasp.dev/incident'] !== undefined);
          return started ? pods.length : false;
        }, { timeoutMs: 60_000, intervalMs: 20 });
        await a.kill();
        expect(left, 'pods left when the leader died').to.be.greaterThan(0);
        await b.waitForLog('became leader', WAIT.timeoutMs);
        await waitFor('pods gone and Node deleted', async () => (await podsOn(c, 'ha-1')).length === 0 && !(await nodeExists(c, 'ha-1')), {
          timeoutMs: 180_000,
        });
        const r = await waitFor('NodeIncident Remediated', async () => {
          const recs = await incidentsFor(c, 'ha-1');
          return phase(recs[0]) === 'Remediated' ? recs : false;
        }, WAIT);
        expect(r).to.have.length(1);
        expect((r[0]?.status as { remediatedBy?: string }).remediatedBy).to.equal('ha-b');
      } catch (err) {
        process.stderr.write(`--- ha-a ---\n${a.logText().slice(-4000)}\n--- ha-b ---\n${b.logText().slice(-8000)}\n`);
        throw err;
      } finally {
        await a.kill();
        await b.stop();
      }
    });
  });

  // Last in the file: after the API server restarts, kwok (the fake kubelets) takes a while to
  // resume its watches, which would slow the set-up of any test after this one.
  describe('API outage', () => {
    let col: CollectorProcess;
    before(async () => {
      await assertShippedBuild();
      col = await startCollector(cluster(), 'outage', { policy: { ...NO_PROOF, storm: { maxNodesPerWindow: 50, maxPercentOfReadyNodes: 100 } } }, { entry: 'dist' });
    });
    after(() => col.stop());

    it('API server stopped for 30 s during a remediation → it completes after the restart', async () => {
      const c = cluster();
      await nodeWithPods(c, 'outage-1', '127.0.4.1', 20);
      await c.stopApiServer();
      try {
        await sendPanic('127.0.4.1', [col.udpPort]);
        await new Promise((r) => setTimeout(r, 30_000));
      } finally {
        await c.startApiServer();
      }
      await waitFor('pods gone and Node deleted after the outage', async () => (await podsOn(c, 'outage-1')).length === 0 && !(await nodeExists(c, 'outage-1')), { timeoutMs: 120_000 });
      await waitFor('NodeIncident Remediated', async () => phase((await incidentsFor(c, 'outage-1'))[0]) === 'Remediated', WAIT);
    });
  });
});
