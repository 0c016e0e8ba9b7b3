// Two collector apps (leader and follower, one Lease) against a real control plane, asked through their
// real gRPC API what they did: each remediation step with its outcome and timing, the phase, the Node
// an incident resolved to, the current leader as a follower sees it, and the remediation counters.
import { createSocket } from 'node:dgram';
import { CoreV1Api, type V1Pod } from '@kubernetes/client-node';
import { createNode, createPod, useCluster, type Cluster } from '@lastgasp/testbed/cluster';
import { waitFor } from '@lastgasp/testbed/testing';
import { expect } from 'chai';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import type { Incident__Output } from '@lastgasp/proto';
import { startApp, type App } from './app.js';
import { connect, type CollectorApi } from './cli/client.js';
import { defaultConfig, type CollectorConfig } from './config/config.js';
import { formatExtended } from './parse/format-extended.js';

const CRD = fileURLToPath(new URL('../../deploy/helm/lastgasp/crds/nodeincidents.lastgasp.dev.yaml', import.meta.url));
const WAIT = { timeoutMs: 90_000, intervalMs: 200 };

interface Replica {
  app: App;
  client: CollectorApi;
  log: () => string;
}

function portOf(address: string): number {
  return Number(address.slice(address.lastIndexOf(':') + 1));
}

let seq = 5000;
/** An oops line, then the panic line, from `fromIp`, to every replica. */
async function sendPanic(fromIp: string, replicas: Replica[]): Promise<void> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind({ address: fromIp, port: 0 }, resolve));
  const base = seq;
  seq += 10;
  const lines = ['BUG: kernel NULL pointer dereference, address: 0000000000000000', 'Kernel panic - not syncing: Fatal exception'];
  try {
    for (const [i, text] of lines.entries()) {
      for (const d of formatExtended({ seq: base + i, timestampUs: base * 1000 + i, text, level: i === 1 ? 0 : 1 })) {
        for (const r of replicas) {
          const port = portOf(r.app.udpAddresses[0] ?? '');
          await new Promise<void>((resolve, reject) => socket.send(d, port, '127.0.0.1', (err) => (err ? reject(err) : resolve())));
        }
      }
    }
  } finally {
    socket.close();
  }
}

async function podsOn(cluster: Cluster, node: string): Promise<V1Pod[]> {
  const core = cluster.kubeConfig.makeApiClient(CoreV1Api);
  return (await core.listPodForAllNamespaces({ fieldSelector: `spec.nodeName=${node}` })).items;
}

async function nodeWithPods(cluster: Cluster, node: string, ip: string, pods: number, labels: Record<string, string> = {}): Promise<void> {
  await createNode(cluster, node, { addresses: [{ type: 'InternalIP', address: ip }], labels });
  for (let i = 0; i < pods; i++) await createPod(cluster, { namespace: 'wiring', name: `${node}-p${i}`, nodeName: node });
  await waitFor(`${pods} pods Running on ${node}`, async () => {
    const list = await podsOn(cluster, node);
    return list.length === pods && list.every((p) => p.status?.phase === 'Running');
  }, WAIT);
}

/** The incident of `node` (or of `source` when it resolved to no Node) once its phase is `phase`. */
async function incidentIn(r: Replica, match: { node?: string; source?: string }, phase: string): Promise<Incident__Output> {
  let last: Incident__Output | null = null;
  return waitFor(
    `incident of ${JSON.stringify(match)} in phase ${phase}`,
    async () => {
      const list = await r.client.listIncidents({});
      const found = list.incidents.find((i) => (match.node === undefined || i.nodeName === match.node) && (match.source === undefined || i.source === match.source));
      if (found === undefined) return false;
      last = await r.client.getIncident({ id: found.id });
      return last.phase === phase ? last : false;
    },
    { ...WAIT, describe: () => Promise.resolve(`${JSON.stringify(last)}\n${r.log().slice(-3000)}`) },
  );
}

function stepTable(i: Incident__Output): [string, string][] {
  return i.steps.map((s) => [s.name, s.outcome]);
}

describe('collector app: remediation progress, leadership and counters over gRPC (real control plane)', function () {
  this.timeout(300_000);
  const cluster = useCluster();
  const replicas: Replica[] = [];

  async function startReplica(identity: string): Promise<Replica> {
    let out = '';
    const logger = pino({ level: 'info' }, { write: (s: string) => void (out += s) });
    const config: CollectorConfig = {
      ...defaultConfig({ identity, namespace: 'default' }),
      udpListen: { host: '127.0.0.1', port: 0 },
      grpcListen: { host: '127.0.0.1', port: 0 },
      httpListen: { host: '127.0.0.1', port: 0 },
      leaseName: 'lease-wiring',
      leaderElection: { leaseDurationSeconds: 15, renewDeadlineSeconds: 10, retryPeriodSeconds: 1 },
    };
    // This wiring test's Nodes sit on loopback, which answers every probe: proof of death (proven with
    // addresses that really fall silent in remediate/proof-of-death.integration.test.ts) is off here.
    config.policy = {
      ...config.policy,
      proofOfDeath: { ...config.policy.proofOfDeath, enabled: false },
      storm: { maxNodesPerWindow: 50, windowSeconds: 600, maxPercentOfReadyNodes: 100 },
    };
    const app = await startApp({ config, logger, kubeConfig: cluster().kubeConfig });
    const r: Replica = { app, client: connect({ server: app.grpcAddress, timeoutMs: 10_000 }), log: () => out };
    replicas.push(r);
    return r;
  }

  let leader: Replica;
  let follower: Replica;
  before(async function () {
    this.timeout(600_000);
    await cluster().installCrds([CRD]);
    leader = await startReplica('wiring-a');
    await waitFor('wiring-a to lead', async () => (await leader.client.getStatus()).leading, WAIT);
    follower = await startReplica('wiring-b');
  });
  afterEach(function () {
    if (this.currentTest?.state !== 'failed') return;
    for (const r of replicas) process.stderr.write(`--- ${r.app.grpcAddress} ---\n${r.log().slice(-6000)}\n`);
  });
  after(async () => {
    for (const r of replicas.splice(0)) {
      r.client.close();
      await r.app.stop();
    }
  });

  it('GetStatus on the follower → not leading, leaderIdentity the leader\'s', async () => {
    const status = await waitFor('the follower to read the Lease', async () => {
      const s = await follower.client.getStatus();
      return s.leaderIdentity !== '' ? s : false;
    }, WAIT);
    expect(status.leading).to.equal(false);
    expect(status.identity).to.equal('wiring-b');
    expect(status.leaderIdentity).to.equal('wiring-a');
    const own = await leader.client.getStatus();
    expect(own).to.include({ leading: true, leaderIdentity: 'wiring-a' });
  });

  it('panic from a Node with 2 pods → GetIncident on the leader lists every step ok, in order, with timing; REMEDIATED', async () => {
    const c = cluster();
    await nodeWithPods(c, 'wire-1', '127.0.9.1', 2);
    await sendPanic('127.0.9.1', [leader, follower]);
    const inc = await incidentIn(leader, { node: 'wire-1' }, 'INCIDENT_PHASE_REMEDIATED');
    expect(stepTable(inc)).to.deep.equal(
      [
        'record',
        'phase-detected',
        'list-pods',
        'cordon-node',
        'phase-remediating',
        'fail-pods',
        'delete-pods',
        'delete-node',
        'node-event',
        'pod-events',
        'phase-remediated',
      ].map((name) => [name, 'STEP_OUTCOME_OK']),
    );
    for (const s of inc.steps) {
      expect(s.startTime, s.name).to.not.equal(null);
      expect(s.finishTime, s.name).to.not.equal(null);
      expect(Number(s.finishTime?.seconds) * 1e3 + (s.finishTime?.nanos ?? 0) / 1e6).to.be.at.least(Number(s.startTime?.seconds) * 1e3 + (s.startTime?.nanos ?? 0) / 1e6);
    }
    const messages = Object.fromEntries(inc.steps.map((s) => [s.name, s.message]));
    expect(messages['list-pods']).to.equal('2 pod(s) on wire-1');
    expect(messages['fail-pods']).to.equal('2 of 2 pod(s) annotated with the reason and set Failed with condition DisruptionTarget');
    expect(messages['delete-pods']).to.equal('2 pod(s) deleted, grace period 0');
    expect(messages['delete-node']).to.equal('Node wire-1 deleted');
    expect(inc.nodeName).to.equal('wire-1');
    // The follower did nothing itself, and shows what the leader did from its NodeIncident.
    const seen = await incidentIn(follower, { node: 'wire-1' }, 'INCIDENT_PHASE_REMEDIATED');
    expect(seen.id).to.equal(inc.id);
    expect(stepTable(seen)).to.deep.equal([['leader', 'STEP_OUTCOME_OK']]);
    expect(seen.steps[0]?.message).to.match(/^NodeIncident wire-1-[0-9a-f]{10} Remediated by wiring-a: 2 pod\(s\) failed and deleted; node action: delete$/);
    const status = await leader.client.getStatus();
    expect(Number(status.counters?.podsDeleted)).to.equal(2);
    expect(Number(status.counters?.nodesRemediated)).to.equal(1);
    expect(Number(status.counters?.incidentsByKind.KernelPanic)).to.be.at.least(1);
  });

  it('panic from an excluded (control-plane) Node → HELD, the phase-held step says Excluded; nothing deleted', async () => {
    const c = cluster();
    await nodeWithPods(c, 'wire-cp', '127.0.9.2', 1, { 'node-role.kubernetes.io/control-plane': '' });
    await sendPanic('127.0.9.2', [leader, follower]);
    const inc = await incidentIn(leader, { node: 'wire-cp' }, 'INCIDENT_PHASE_HELD');
    expect(stepTable(inc).map(([name]) => name)).to.deep.equal(['record', 'phase-detected', 'node-event', 'phase-held']);
    const held = inc.steps.find((s) => s.name === 'phase-held');
    expect(held?.message).to.match(/^Excluded: the Node matches the exclusion selector/);
    expect(await podsOn(c, 'wire-cp')).to.have.length(1);
    expect(Number((await leader.client.getStatus()).counters?.incidentsHeld)).to.equal(1);
  });

  it('panic from an address that is no Node → listed as UNRESOLVED without a node name; counted as unknown source', async () => {
    await sendPanic('127.0.9.99', [leader, follower]);
    const inc = await incidentIn(leader, { source: '127.0.9.99' }, 'INCIDENT_PHASE_UNRESOLVED');
    expect(inc.nodeName).to.equal('');
    expect(inc.steps).to.deep.equal([]);
    expect(Number((await leader.client.getStatus()).counters?.unknownSources)).to.be.at.least(1);
  });
});
