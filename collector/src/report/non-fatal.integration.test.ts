// Non-fatal incidents on a real control plane: a node that reports 500 OOM kills gets one Warning Event
// whose series counts them, and no NodeIncident; a node that panics during that flood is proven dead and
// remediated as usual. And retention: on becoming leader, the collector deletes finished NodeIncidents
// past their age and keeps Held and young ones. Node addresses live in a node address pool (as in the
// proof-of-death test), so the panicking node can really fall silent.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CustomObjectsApi, EventsV1Api } from '@kubernetes/client-node';
import { createNode, createNodeAddressPool, createPod, useCluster, type Cluster, type NodeAddressPool } from '@lastgasp/testbed/cluster';
import { waitFor } from '@lastgasp/testbed/testing';
import { startCollector, type CollectorProcess } from '@lastgasp/testbed/collector';
import { expect } from 'chai';
import { sendFromPool } from '../../test-support/pool-sender.js';
import { incidentsFor, NODE_INCIDENTS, nodeExists, podsOn } from '../../test-support/cluster-reads.js';
import { formatExtended } from '../parse/format-extended.js';

const CRD = fileURLToPath(new URL('../../../deploy/helm/lastgasp/crds/nodeincidents.lastgasp.dev.yaml', import.meta.url));
const WAIT = { timeoutMs: 60_000, intervalMs: 250 };
const DAY = 86_400_000;
const OOM_KILLS = 500;

function datagrams(lines: { text: string; level: number }[], firstSeq: number): string[] {
  return lines.flatMap((l, i) => formatExtended({ seq: firstSeq + i, timestampUs: (firstSeq + i) * 1000, text: l.text, level: l.level }).map((b) => b.toString('hex')));
}

/** `n` OOM kills as a memory cgroup reports them: the kill line and the reaper's line after it. */
function oomKills(n: number): string[] {
  const lines: { text: string; level: number }[] = [];
  for (let i = 0; i < n; i++) {
    lines.push({ text: `Memory cgroup out of memory: Killed process ${1000 + i} (stress) total-vm:1053040kB, anon-rss:524388kB, file-rss:0kB`, level: 3 });
    lines.push({ text: `oom_reaper: reaped process ${1000 + i} (stress), now anon-rss:0kB, file-rss:0kB, shmem-rss:0kB`, level: 6 });
  }
  return datagrams(lines, 100);
}

function panic(): string[] {
  return datagrams(
    [
      { text: 'sysrq: Trigger a crash', level: 6 },
      { text: 'Kernel panic - not syncing: sysrq triggered crash', level: 0 },
      { text: 'CPU: 0 PID: 1 Comm: sh Not tainted 6.1.0-56-amd64 #1  Debian 6.1.158-1', level: 6 },
    ],
    100,
  );
}

/** A NodeIncident as an earlier leader left it, `ageMs` old. */
function oldRecord(name: string, ageMs: number, phase: string) {
  return {
    apiVersion: 'lastgasp.dev/v1alpha1',
    kind: 'NodeIncident',
    metadata: { name },
    spec: { node: `gone-${name}`, incidentId: name, source: '192.0.2.1', kind: 'KernelPanic', fatal: true, summary: 'Kernel panic - not syncing: old', detectedAt: new Date(Date.now() - ageMs).toISOString(), detectedBy: 'earlier' },
    status: { phase, reason: phase, message: 'left by an earlier leader' },
  };
}

describe('non-fatal incidents as Event series, and retention, against a real control plane', function () {
  this.timeout(300_000);
  const cluster = useCluster();
  let pool: NodeAddressPool | null = null;
  let collector: CollectorProcess | null = null;
  let tmp = '';
  let hostAddress = '';
  const p = (): NodeAddressPool => {
    if (pool === null) throw new Error('no address pool');
    return pool;
  };
  const col = (): CollectorProcess => {
    if (collector === null) throw new Error('no collector');
    return collector;
  };
  const send = (from: string, hex: string[]) => sendFromPool(p(), from, hostAddress, col().udpPort, hex);
  const custom = (c: Cluster) => c.kubeConfig.makeApiClient(CustomObjectsApi);

  before(async () => {
    const c = cluster();
    tmp = await mkdtemp(join(tmpdir(), 'lastgasp-nonfatal-'));
    await c.installCrds([CRD]);
    // Records an earlier leader left: two finished and old, one Held and old, one finished and young.
    for (const [name, age, phase] of [['old-remediated', 40 * DAY, 'Remediated'], ['old-refuted', 35 * DAY, 'Refuted'], ['old-held', 40 * DAY, 'Held'], ['young', 60_000, 'Remediated']] as const) {
      const body = oldRecord(name, age, phase);
      await custom(c).createClusterCustomObject({ ...NODE_INCIDENTS, body });
      await custom(c).patchClusterCustomObjectStatus({ ...NODE_INCIDENTS, name, body: [{ op: 'add', path: '/status', value: body.status }] });
    }
    pool = await createNodeAddressPool({ ipv6: false });
    hostAddress = p().layout.ipv4.hostLink.split('/')[0] ?? '';
    collector = await startCollector({
      name: 'nonfatal',
      dir: tmp,
      entry: 'source',
      config: {
        kubeconfig: c.kubeconfigPath,
        udpListen: `${hostAddress}:0`,
        grpcListen: '127.0.0.1:0',
        httpListen: '127.0.0.1:0',
        identity: 'nonfatal',
        leaseNamespace: 'default',
        leaseName: 'lease-nonfatal',
        leaderElection: { leaseDurationSeconds: 6, renewDeadlineSeconds: 4, retryPeriodSeconds: 1 },
        // `settle`: the time this bed needs to make an address fall silent after sending from it.
        policy: { proofOfDeath: { settle: '3s' }, nonFatal: { seriesRefresh: '2s' }, retention: { maxAge: '30d' } },
      },
      startTimeoutMs: 60_000,
    });
    await col().waitForLog('became leader', 30_000);
  });
  afterEach(function () {
    if (this.currentTest?.state === 'failed' && collector !== null) {
      process.stderr.write(`--- collector output ---\n${collector.logText().split('\n').slice(-60).join('\n').slice(-12000)}\n`);
    }
  });
  after(async () => {
    await collector?.kill();
    await pool?.remove();
    if (tmp !== '') await rm(tmp, { recursive: true, force: true });
  });

  it('retention: finished records past 30 days are deleted on becoming leader; a Held one and a young one are kept', async () => {
    const c = cluster();
    const names = async () => ((await custom(c).listClusterCustomObject(NODE_INCIDENTS)) as { items: { metadata: { name: string } }[] }).items.map((i) => i.metadata.name).sort();
    await waitFor('the two old finished records deleted', async () => !(await names()).includes('old-remediated') && !(await names()).includes('old-refuted'), WAIT);
    expect(await names()).to.include.members(['old-held', 'young']);
    const metrics = await (await fetch(`http://${col().listeners.http}/metrics`)).text();
    expect(metrics).to.match(/^lastgasp_incident_records_deleted_total 2$/m);
  });

  it(`${OOM_KILLS} OOM kills from one node → one Event whose series counts ${OOM_KILLS}, no NodeIncident; a panic from another node meanwhile → remediated`, async () => {
    const c = cluster();
    const oomIp = p().allocate().ipv4;
    const deadIp = p().allocate().ipv4;
    await createNode(c, 'oom-1', { addresses: [{ type: 'InternalIP', address: oomIp }] });
    await createNode(c, 'dies-1', { addresses: [{ type: 'InternalIP', address: deadIp }] });
    await createPod(c, { namespace: 'pod-nonfatal', name: 'victim', nodeName: 'dies-1' });
    await waitFor('the victim pod Running', async () => (await podsOn(c, 'dies-1')).some((x) => x.status?.phase === 'Running'), WAIT);
    // Silence proves death only for a node the self-check has heard answer: both must have answered.
    await waitFor('the self-check heard oom-1 and dies-1 answer', async () => {
      const text = await (await fetch(`http://${col().listeners.http}/metrics`)).text();
      const answering = Number(/^lastgasp_reachability_nodes\{state="answering"\} (\d+)$/m.exec(text)?.[1] ?? 0);
      return answering >= 2 && /^lastgasp_reachability_nodes\{state="unchecked"\} 0$/m.test(text);
    }, WAIT);

    // The flood and the panic at once; the dying node falls silent right after its last gasp.
    const flood = send(oomIp, oomKills(OOM_KILLS));
    await send(deadIp, panic());
    await p().kill(deadIp);
    await flood;

    await waitFor('dies-1 deleted', async () => !(await nodeExists(c, 'dies-1')), WAIT);
    const rec = (await incidentsFor(c, 'dies-1'))[0];
    expect((rec?.status as { phase?: string } | undefined)?.phase).to.equal('Remediated');

    const events = c.kubeConfig.makeApiClient(EventsV1Api);
    let seen = '';
    const series = await waitFor(`the OOMKilling series of oom-1 counts ${OOM_KILLS}`, async () => {
      const list = (await events.listNamespacedEvent({ namespace: 'default' })).items.filter((e) => e.regarding?.name === 'oom-1' && e.reportingController === 'lastgasp.dev/collector');
      seen = JSON.stringify(list.map((e) => ({ name: e.metadata?.name, reason: e.reason, series: e.series })));
      return list.length === 1 && list[0]?.series?.count === OOM_KILLS ? list : false;
    }, WAIT).catch((err: unknown) => {
      throw new Error(`${String(err)}; Events of oom-1: ${seen}`);
    });
    const event = series[0];
    expect(event?.reason).to.equal('OOMKilling');
    expect(event?.type).to.equal('Warning');
    expect(event?.note).to.contain('Memory cgroup out of memory: Killed process 1000 (stress)');
    expect(await incidentsFor(c, 'oom-1')).to.deep.equal([]);
    expect(await nodeExists(c, 'oom-1')).to.equal(true);

    const metrics = await (await fetch(`http://${col().listeners.http}/metrics`)).text();
    expect(metrics).to.match(new RegExp(`^lastgasp_incidents_total\\{kind="OOMKilling",fatal="false"\\} ${OOM_KILLS}$`, 'm'));
    // Past the sender's burst the kills were kept out of the history and logs, yet all counted above.
    const limited = Number(/^lastgasp_incidents_rate_limited_total\{limit="source"\} (\d+)$/m.exec(metrics)?.[1]);
    expect(limited).to.be.within(OOM_KILLS - 100, OOM_KILLS - 20);
    expect(metrics).to.match(/^lastgasp_event_series_writes_total\{kind="create"\} 1$/m);
  });
});
