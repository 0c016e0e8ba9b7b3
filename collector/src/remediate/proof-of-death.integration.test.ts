// Proof of death against a real control plane, with Node addresses that behave like real nodes: each
// kwok Node's InternalIP lives in a network namespace of this test (a node address pool) where a live
// node's address answers a TCP SYN with a reset and a dead node's address drops it silently. The panic
// datagrams are sent from inside that namespace, from the Node's own address, as its kernel would; a
// Node "dies" when the test, right after sending its panic, makes its address fall silent.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CoreV1Api } from '@kubernetes/client-node';
import { createNode, createNodeAddressPool, createPod, useCluster, type Cluster, type NodeAddressPool } from '@lastgasp/testbed/cluster';
import { waitFor } from '@lastgasp/testbed/testing';
import { startCollector as startCollectorProcess, type CollectorProcess } from '@lastgasp/testbed/collector';
import { expect } from 'chai';
import { sendFromPool } from '../../test-support/pool-sender.js';
import { incidentsFor, nodeExists, podsOn } from '../../test-support/cluster-reads.js';
import { connect } from '../cli/client.js';
import { formatExtended } from '../parse/format-extended.js';

const CRD = fileURLToPath(new URL('../../../deploy/helm/lastgasp/crds/nodeincidents.lastgasp.dev.yaml', import.meta.url));
const WAIT = { timeoutMs: 60_000, intervalMs: 200 };

let seq = 5000;
/**
 * The lines of a sysrq panic in the extended format; `endMarker`: ending with the end-of-panic line
 * (answers count from then on), else answers count from the collector's `settle` after the panic line.
 */
function panicDatagrams(endMarker: boolean): string[] {
  const base = seq;
  seq += 10;
  const lines = [
    'sysrq: Trigger a crash',
    'Kernel panic - not syncing: sysrq triggered crash',
    'CPU: 0 PID: 1 Comm: sh Not tainted 6.1.0-56-amd64 #1  Debian 6.1.158-1',
    ...(endMarker ? ['---[ end Kernel panic - not syncing: sysrq triggered crash ]---'] : []),
  ];
  return lines.flatMap((text, i) => formatExtended({ seq: base + i, timestampUs: base * 1000 + i, text, level: i === 1 ? 0 : 6 }).map((b) => b.toString('hex')));
}

describe('proof of death against a real control plane (Node addresses that answer, or fall silent)', function () {
  this.timeout(300_000);
  const cluster = useCluster();
  let pool: NodeAddressPool | null = null;
  let collector: CollectorProcess | null = null;
  let tmp = '';
  /** The host's end of the pool's link: where the collector listens for the nodes' datagrams. */
  let hostAddress = '';
  const p = (): NodeAddressPool => {
    if (pool === null) throw new Error('no address pool');
    return pool;
  };
  const col = (): CollectorProcess => {
    if (collector === null) throw new Error('no collector');
    return collector;
  };

  const send = async (from: string, endMarker = true): Promise<void> => {
    await sendFromPool(p(), from, hostAddress, col().udpPort, panicDatagrams(endMarker));
  };

  /** `silent`: the address drops SYNs from the start (a firewall), before the self-check can hear it. */
  const nodeWithPods = async (c: Cluster, name: string, pods: number, silent = false): Promise<string> => {
    const { ipv4 } = p().allocate();
    if (silent) await p().kill(ipv4);
    await createNode(c, name, { addresses: [{ type: 'InternalIP', address: ipv4 }] });
    for (let i = 0; i < pods; i++) await createPod(c, { namespace: 'pod-proof', name: `${name}-p${i}`, nodeName: name });
    await waitFor(`${pods} pod(s) Running on ${name}`, async () => {
      const list = await podsOn(c, name);
      return list.length === pods && list.every((x) => x.status?.phase === 'Running');
    }, WAIT);
    return ipv4;
  };

  const reachability = async (): Promise<Record<string, number>> => {
    const text = await (await fetch(`http://${col().listeners.http}/metrics`)).text();
    const out: Record<string, number> = {};
    for (const m of text.matchAll(/^lastgasp_reachability_nodes\{state="(\w+)"\} (\d+)$/gm)) out[m[1] ?? ''] = Number(m[2]);
    return out;
  };

  before(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'lastgasp-proof-'));
    await cluster().installCrds([CRD]);
    pool = await createNodeAddressPool({ ipv6: false });
    hostAddress = p().layout.ipv4.hostLink.split('/')[0] ?? '';
    collector = await startReplica('proof');
    await col().waitForLog('became leader', 30_000);
  });
  /** A collector replica; all share one Lease, so the first leads and the next takes over when it stops. */
  const startReplica = (identity: string, udpPort = 0): Promise<CollectorProcess> =>
    startCollectorProcess({
      name: identity,
      dir: tmp,
      entry: 'source',
      config: {
        kubeconfig: cluster().kubeconfigPath,
        udpListen: `${hostAddress}:${udpPort}`,
        grpcListen: '127.0.0.1:0',
        httpListen: '127.0.0.1:0',
        identity,
        leaseNamespace: 'default',
        leaseName: 'lease-proof',
        logLevel: 'debug',
        leaderElection: { leaseDurationSeconds: 6, renewDeadlineSeconds: 4, retryPeriodSeconds: 1 },
        // Storm budget of one node: refuted forgeries must not spend it.
        // `settle`: a dying node's answers are ignored for this long after its panic line when no end
        // line comes: the time this test bed needs to make an address fall silent after sending from it.
        policy: { proofOfDeath: { settle: '3s' }, confirmTimeoutSeconds: 5, storm: { maxNodesPerWindow: 1, windowSeconds: 600, maxPercentOfReadyNodes: 100 } },
      },
      startTimeoutMs: 60_000,
    });
  afterEach(function () {
    if (this.currentTest?.state === 'failed' && collector !== null) {
      const lines = collector.logText().split('\n').filter((l) => !l.includes('"level":20'));
      process.stderr.write(`--- collector output ---\n${lines.slice(-60).join('\n').slice(-12000)}\n`);
    }
  });
  after(async () => {
    await collector?.kill();
    await pool?.remove();
    if (tmp !== '') await rm(tmp, { recursive: true, force: true });
  });

  it('forged panics from two live nodes → both Refuted, nothing touched, a Warning Event each; then a real death → the Node deleted (storm budget intact)', async () => {
    const c = cluster();
    const live = ['alive-1', 'alive-2'];
    const liveIps = [await nodeWithPods(c, live[0] ?? '', 2), await nodeWithPods(c, live[1] ?? '', 1)];
    const deadIp = await nodeWithPods(c, 'dies-1', 2);
    // The self-check has heard every node answer: silence can prove death.
    await waitFor('the self-check heard all three nodes', async () => ((await reachability()).answering ?? 0) >= 3, WAIT);

    for (const ip of liveIps) await send(ip);
    for (const node of live) {
      const rec = await waitFor(`${node}'s incident Refuted`, async () => {
        const r = (await incidentsFor(c, node))[0];
        return r !== undefined && status(r).phase === 'Refuted' ? r : false;
      }, WAIT);
      expect(status(rec).reason).to.equal('NodeAnswered');
      expect((status(rec).proof as { verdict?: string } | undefined)?.verdict).to.equal('alive');
      expect(await nodeExists(c, node)).to.equal(true);
      const core = c.kubeConfig.makeApiClient(CoreV1Api);
      expect((await core.readNode({ name: node })).spec?.unschedulable ?? false).to.equal(false);
      expect((await podsOn(c, node)).every((x) => x.status?.phase === 'Running')).to.equal(true);
      const events = await core.listNamespacedEvent({ namespace: 'default', fieldSelector: `involvedObject.name=${node}` });
      expect(events.items.map((e) => e.reason)).to.include('LastGaspRefuted');
      expect(events.items.find((e) => e.reason === 'LastGaspRefuted')?.message).to.contain('possible forged last gasp');
    }

    // A real death: the panic goes out (its end line lost), then the node's address falls silent for good.
    const sentAt = Date.now();
    await send(deadIp, false);
    await p().kill(deadIp);
    await waitFor('dies-1 deleted', async () => !(await nodeExists(c, 'dies-1')), WAIT);
    const goneMs = Date.now() - sentAt;
    const rec = (await incidentsFor(c, 'dies-1'))[0];
    expect(status(rec).phase).to.equal('Remediated');
    const proof = status(rec).proof as { verdict?: string; summary?: string } | undefined;
    expect(proof?.verdict).to.equal('dead');
    expect(proof?.summary).to.match(new RegExp(`^no answer from ${deadIp.replace(/\./g, '\\.')}:10250 in 3 attempts over \\d+ ms$`));
    expect(await podsOn(c, 'dies-1')).to.have.length(0);
    console.log(`      panic sent → Node deleted with the probe on: ${goneMs} ms (of which settle 3 s, this bed's)`);
  });

  it('a node whose probe port is dropped (a firewall) → the self-check reports it silent; its panic is not proven dead and it is kept', async () => {
    const c = cluster();
    const ip = await nodeWithPods(c, 'firewalled-1', 1, true);
    await waitFor('the self-check reports a silent node', async () => ((await reachability()).silent ?? 0) >= 1, WAIT);
    // A silent address cannot send: open it for the panic alone (the self-check rechecks a failed node
    // only a minute later), then close it again.
    await p().revive(ip);
    await send(ip, false);
    await p().kill(ip);
    const rec = await waitFor('firewalled-1 held', async () => {
      const r = (await incidentsFor(c, 'firewalled-1'))[0];
      return r !== undefined && status(r).phase === 'Held' ? r : false;
    }, WAIT);
    // kwok keeps renewing its Lease: Kubernetes does not see it dead either.
    expect(status(rec).reason).to.equal('NotConfirmed');
    const proof = status(rec).proof as { verdict?: string; summary?: string } | undefined;
    expect(proof?.verdict).to.equal('inconclusive');
    // Probed all the same (an answer would have refuted it); its silence proves nothing.
    expect(proof?.summary).to.match(/^silence cannot prove death: .* \(no answer from /);
    expect(await nodeExists(c, 'firewalled-1')).to.equal(true);
    expect(col().logText()).to.contain('did not answer the reachability self-check');
    // `lastgasp status` names it: the operator sees which node's probe port to open.
    const api = connect({ server: col().listeners.grpc });
    try {
      const r = (await api.getStatus()).reachability;
      expect(r?.silentNodes).to.include('firewalled-1');
      expect(r?.silent).to.be.at.least(1);
      expect(r?.answering).to.be.at.least(2);
    } finally {
      api.close();
    }
  });

  it('a new leader rebuilds the storm window from the records: the budget the old leader spent stays spent', async () => {
    const c = cluster();
    // The first test's real death spent the budget of one node per window; a forged panic did not.
    const old = col();
    const port = old.udpPort;
    await old.kill();
    collector = await startReplica('proof-b', port);
    await col().waitForLog('became leader', 60_000);
    const ip = await nodeWithPods(c, 'dies-2', 1);
    await waitFor('the new leader\'s self-check heard dies-2', async () => {
      const api = connect({ server: col().listeners.grpc });
      try {
        // alive-1, alive-2 and dies-2 answer; firewalled-1 stays silent.
        const r = (await api.getStatus()).reachability;
        return r !== null && r.unchecked === 0 && r.answering >= 3;
      } finally {
        api.close();
      }
    }, WAIT);
    await send(ip, false);
    await p().kill(ip);
    const rec = await waitFor('dies-2 held by the storm limit', async () => {
      const r = (await incidentsFor(c, 'dies-2'))[0];
      return r !== undefined && status(r).phase === 'Held' ? r : false;
    }, WAIT);
    expect(status(rec).reason).to.equal('StormLimit');
    expect((status(rec).proof as { verdict?: string } | undefined)?.verdict).to.equal('dead');
    expect(await nodeExists(c, 'dies-2')).to.equal(true);
  });
});

function status(obj: Record<string, unknown> | undefined): Record<string, unknown> {
  return (obj?.status as Record<string, unknown> | undefined) ?? {};
}
