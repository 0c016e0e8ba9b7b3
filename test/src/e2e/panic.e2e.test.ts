// A real kernel panic, end to end: Debian's kernel under QEMU (2 vCPUs: the other CPU runs on while the
// panicking one sends its last gasp) is a kwok-managed Node of a real control plane; the agent from this
// checkout runs in the guest and arms netconsole; the collector runs in the test's network namespace with
// proof of death on and a storm budget of one node. One boot serves the canary (d), the userspace fake
// (c), two forged last gasps the proof of death refutes — (e) an unprivileged process in the guest with
// an ordinary UDP socket, (f) a raw socket on the host side spoofing the guest's address — then the real
// panic (a), which ends the guest and must still be proven and remediated: the forgeries spent no budget.
import { CoreV1Api, type CoreV1Event } from '@kubernetes/client-node';
import { createPod } from '@lastgasp/testbed/cluster';
import { waitFor } from '@lastgasp/testbed/testing';
import { consoleOnFailure } from '@lastgasp/testbed/kernel';
import { expect } from 'chai';
import { startClusterTimeline, isDisrupted, type ClusterTimeline, type TimelineEvent } from './cluster-timeline.js';
import type { CollectorProcess } from '../collector/index.js';
import { figure, progress } from './figures.js';
import { readGuestTargets } from './guest-agent.js';
import { ANNOTATION_PREFIX, bringUpWorld, GUEST_ADDRESS, HOST_ADDRESSES, type World } from './world.js';
import { cliJson, hostsOf, incidentsOf, listNodeIncidents, type NodeIncidentObject } from './scenario-reads.js';

const NODE = 'guest-panic';
const APP_NS = 'shop';
const PODS = ['web-0', 'web-1', 'worker-0'];
const COLLECTOR_ADDRESS = HOST_ADDRESSES[0];
/** The bound for a remediation after the panic line reached the collector. */
const REMEDIATION_BOUND_MS = 5000;
/** The guest's CPUs: with two, one keeps running (and answering) while the other panics. */
const GUEST_CPUS = 2;
/**
 * The collector's settings for this bed: one node of storm budget (a forgery that spent it would hold
 * the real panic); the probe's connect timeout sized for TCG, where the guest's kernel answers a SYN in
 * ~200 ms (well under 1 ms on hardware).
 */
const COLLECTOR_CONFIG = {
  policy: {
    mode: 'immediate',
    proofOfDeath: { attemptTimeout: '600ms' },
    storm: { maxNodesPerWindow: 1, windowSeconds: 600, maxPercentOfReadyNodes: 100 },
  },
};

/** One extended-format netconsole record as a forger writes it: facility 0 (kernel), level 0. */
function forgedRecord(seq: number, text: string): Buffer {
  return Buffer.from(`0,${seq},${seq * 1000},-;${text}\n`);
}

/** Sends one UDP datagram (hex argv[3]) to argv[1]:argv[2] with an ordinary socket; prints the uid it ran as. */
const UDP_SENDER =
  "const d = require('node:dgram').createSocket('udp4'); const [to, port, hex] = process.argv.slice(1);" +
  " d.send(Buffer.from(hex, 'hex'), Number(port), to, (e) => { d.close(); if (e) throw e; console.log('uid=' + process.getuid()); });";

/** Sends one IPv4/UDP packet with any source address through a raw socket (the kernel fills the IP checksum). */
const RAW_SENDER = [
  'import socket, struct, sys',
  'src, dst, port, payload = sys.argv[1], sys.argv[2], int(sys.argv[3]), bytes.fromhex(sys.argv[4])',
  "udp = struct.pack('!HHHH', 6665, port, 8 + len(payload), 0) + payload",
  "ip = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(udp), 0x4c47, 0, 64, 17, 0, socket.inet_aton(src), socket.inet_aton(dst))",
  's = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)',
  's.sendto(ip + udp, (dst, 0))',
].join('\n');

/** The real panic's NodeIncident: its text, its outcome, and how death was proven. */
function expectRemediatedRecord(incident: NodeIncidentObject): void {
  expect(incident.spec).to.include({ node: NODE, kind: 'KernelPanic', fatal: true, source: GUEST_ADDRESS });
  expect(incident.spec?.summary).to.contain('sysrq triggered crash');
  expect(incident.spec?.contextLines?.join('\n')).to.match(/Kernel panic - not syncing: sysrq triggered crash/);
  expect(incident.status).to.include({ podsDeleted: PODS.length, nodeAction: 'delete' });
  // Proven dead although the guest's other CPU ran on after the panic line, and with the storm budget
  // of one node: the two refuted forgeries spent none of it.
  expect(incident.status?.proof?.verdict).to.equal('dead');
  expect(incident.status?.proof?.summary).to.match(/^no answer from /);
}

describe('a real kernel panic end to end (QEMU guest as a Node, agent in the guest, collector in the namespace)', function () {
  this.timeout(900_000);
  let world: World | null = null;
  let collector: CollectorProcess | null = null;
  let timeline: ClusterTimeline | null = null;
  const w = (): World => {
    if (world === null) throw new Error('the world was not brought up');
    return world;
  };
  const c = (): CollectorProcess => {
    if (collector === null) throw new Error('no collector');
    return collector;
  };
  consoleOnFailure(() => world?.vm.console() ?? null);
  afterEach(function () {
    if (this.currentTest?.state === 'failed' && world !== null) console.error(world.diagnostics());
  });

  before(async function () {
    this.timeout(1_800_000);
    world = await bringUpWorld({ nodeName: NODE, log: progress, cpus: GUEST_CPUS, collectorConfig: COLLECTOR_CONFIG });
    collector = await world.startCollector(COLLECTOR_ADDRESS, 'collector-a');
    await world.setSliceAddresses([COLLECTOR_ADDRESS]);
    for (const name of PODS) await createPod(world.cluster, { namespace: APP_NS, name, nodeName: NODE, labels: { app: 'shop' } });
    const core = world.cluster.kubeConfig.makeApiClient(CoreV1Api);
    await waitFor(`pods on ${NODE} Running (kwok)`, async () => {
      const pods = (await core.listNamespacedPod({ namespace: APP_NS })).items;
      return pods.length === PODS.length && pods.every((p) => p.status?.phase === 'Running') ? pods : false;
    }, { timeoutMs: 120_000 });
    const agentStart = Date.now();
    world.startAgent();
    const condition = await world.waitArmed([COLLECTOR_ADDRESS], 300_000);
    const armedAt = Date.now();
    progress(`LastGaspReady: ${condition.reason ?? ''} — ${condition.message ?? ''}`);
    figure(
      'boot-to-armed',
      armedAt - world.bootStartedAt,
      `guest boot start → Node condition LastGaspReady True; guest boot ${world.vm.bootMs} ms (${world.vm.accel}), ` +
        `agent start → armed ${armedAt - agentStart} ms`,
    );
    timeline = await startClusterTimeline(world.cluster.kubeConfig, ANNOTATION_PREFIX);
  });

  after(async function () {
    this.timeout(180_000);
    timeline?.stop();
    await world?.stop();
  });

  it('the guest has one enabled extended netconsole target: eth0 → 10.77.0.1:6666 at the TAP MAC', async () => {
    const tapMac = (await w().vm.network.run('cat', [`/sys/class/net/${w().vm.network.tapName}/address`])).stdout.trim();
    const targets = await readGuestTargets(w().vm);
    expect(targets, JSON.stringify(targets)).to.have.length(1);
    expect(targets[0]).to.deep.include({ enabled: true, remoteIp: COLLECTOR_ADDRESS, remotePort: '6666', devName: 'eth0', extended: true, remoteMac: tapMac });
  });

  it('(d) the agent’s canary reaches the collector: `lastgasp hosts` shows it for the guest’s Node', async () => {
    const host = await waitFor('`lastgasp hosts -o json` to show the canary of the guest', async () => {
      const hosts = hostsOf(await cliJson(w(), c(), ['hosts']));
      const h = hosts.find((x) => x.address === GUEST_ADDRESS);
      return h?.lastCanaryNode === NODE ? h : false;
    }, { timeoutMs: 60_000, intervalMs: 1000 });
    progress(`lastgasp hosts: ${JSON.stringify(host)}`);
    expect(host.node).to.equal(NODE);
  });

  it('(c) `echo "<0>Kernel panic - not syncing: fake" > /dev/kmsg` in the guest: arrives, opens nothing, deletes nothing', async () => {
    const recordsOf = async (): Promise<number> => hostsOf(await cliJson(w(), c(), ['hosts'])).find((h) => h.address === GUEST_ADDRESS)?.records ?? 0;
    const before = await recordsOf();
    const marker = `lastgasp-fake-${Date.now()}`;
    const wrote = await w().vm.run(`echo "<0>Kernel panic - not syncing: fake ${marker}" > /dev/kmsg`);
    expect(wrote.code, wrote.stderr).to.equal(0);
    // The pipeline classifies a record when it ingests it, so once the record count moves the verdict is in.
    const after = await waitFor('the fake line to reach the collector', async () => {
      const n = await recordsOf();
      return n > before ? n : false;
    }, { timeoutMs: 60_000, intervalMs: 500 });
    progress(`host records ${before} → ${after}`);
    expect(c().log().filter((e) => e.msg === 'incident opened')).to.deep.equal([]);
    const incidents = incidentsOf(await cliJson(w(), c(), ['incidents']));
    expect(incidents, JSON.stringify(incidents)).to.deep.equal([]);
    const host = hostsOf(await cliJson(w(), c(), ['hosts'])).find((h) => h.address === GUEST_ADDRESS);
    expect(host?.incidents).to.equal(0);
    expect(await listNodeIncidents(w())).to.deep.equal([]);
    const core = w().cluster.kubeConfig.makeApiClient(CoreV1Api);
    expect((await core.readNode({ name: NODE })).metadata?.name).to.equal(NODE);
    const pods = (await core.listNamespacedPod({ namespace: APP_NS })).items;
    expect(pods.map((p) => `${p.metadata?.name ?? ''} ${p.status?.phase ?? ''}`).sort()).to.deep.equal(PODS.map((p) => `${p} Running`).sort());
  });

  /** Waits for the NodeIncident whose summary names `marker` to end Refuted; checks nothing was touched. */
  async function expectRefuted(marker: string): Promise<void> {
    const record = await waitFor(`the forged incident (${marker}) Refuted`, async () => {
      const found = (await listNodeIncidents(w())).find((i) => (i.spec?.summary ?? '').includes(marker));
      return found?.status?.phase === 'Refuted' ? found : false;
    }, { timeoutMs: 60_000, intervalMs: 500, describe: async () => JSON.stringify(await listNodeIncidents(w())) });
    expect(record.spec).to.include({ node: NODE, source: GUEST_ADDRESS, kind: 'KernelPanic', fatal: true });
    expect(record.status?.reason).to.equal('NodeAnswered');
    expect(record.status?.proof?.verdict).to.equal('alive');
    expect(record.status?.proof?.summary).to.match(new RegExp(`^${GUEST_ADDRESS.replace(/\./g, '\\.')}:\\d+ answered`));
    progress(`refuted: ${record.status?.proof?.summary ?? ''}`);
    const core = w().cluster.kubeConfig.makeApiClient(CoreV1Api);
    const node = await core.readNode({ name: NODE });
    expect(node.spec?.unschedulable ?? false, 'the Node is not cordoned').to.equal(false);
    expect(node.spec?.taints ?? []).to.deep.equal([]);
    const pods = (await core.listNamespacedPod({ namespace: APP_NS })).items;
    expect(pods.map((p) => `${p.metadata?.name ?? ''} ${p.status?.phase ?? ''}`).sort()).to.deep.equal(PODS.map((p) => `${p} Running`).sort());
    for (const p of pods) expect(Object.keys(p.metadata?.annotations ?? {}).filter((k) => k.startsWith(ANNOTATION_PREFIX))).to.deep.equal([]);
    const events = (await core.listNamespacedEvent({ namespace: 'default', fieldSelector: `involvedObject.name=${NODE}` })).items;
    const refuted = events.find((e) => e.reason === 'LastGaspRefuted');
    expect(refuted?.type).to.equal('Warning');
    expect(refuted?.message).to.contain('possible forged last gasp');
  }

  it('(e) an unprivileged process in the guest sends a kernel panic line (facility 0) with an ordinary UDP socket: refuted, nothing touched', async () => {
    const marker = `forged-in-guest-${Date.now()}`;
    const hex = forgedRecord(900_001, `Kernel panic - not syncing: ${marker}`).toString('hex');
    const sent = await w().vm.run(
      `setpriv --reuid=65534 --regid=65534 --clear-groups ${process.execPath} -e "${UDP_SENDER}" ${COLLECTOR_ADDRESS} 6666 ${hex}`,
    );
    expect(sent.code, sent.stderr).to.equal(0);
    expect(sent.stdout.trim(), 'the sender ran unprivileged').to.equal('uid=65534');
    await expectRefuted(marker);
  });

  it('(f) the same line from the host side, the guest\'s address spoofed through a raw socket: refuted, nothing touched', async () => {
    // A panic line while the guest's last incident is still open would only extend it: wait until it closed.
    await waitFor('the incident of (e) closed', async () => {
      const open = incidentsOf(await cliJson(w(), c(), ['incidents'])).filter((i) => !i.closed);
      return open.length === 0 ? true : false;
    }, { timeoutMs: 30_000, intervalMs: 500 });
    const marker = `forged-spoofed-${Date.now()}`;
    const hex = forgedRecord(900_101, `Kernel panic - not syncing: ${marker}`).toString('hex');
    const sent = await w().vm.network.run('python3', ['-c', RAW_SENDER, GUEST_ADDRESS, COLLECTOR_ADDRESS, '6666', hex]);
    expect(sent.code, sent.stderr).to.equal(0);
    await expectRefuted(marker);
  });

  it('(a) sysrq-c: pods explained, Failed + DisruptionTarget, deleted; Events; NodeIncident with the panic text; Node deleted; `lastgasp incidents` lists it', async () => {
    const tl = timeline;
    if (tl === null) throw new Error('no timeline');
    const panic = await w().vm.panic({ timeoutMs: 180_000 });
    progress(`QEMU gone ${panic.elapsedMs} ms after sysrq-c`);
    const opened = await c().waitForLog('incident opened', 60_000, (e) => e.kind === 'KernelPanic' && String(e.summary).includes('sysrq triggered crash'));
    expect(opened).to.include({ node: NODE, source: GUEST_ADDRESS, fatal: true });
    expect(String(opened.summary)).to.contain('sysrq triggered crash');
    const lineAt = opened.time;
    const nodeDeleted = await waitFor<TimelineEvent>(`Node ${NODE} deleted`, () => Promise.resolve(tl.first('node-deleted', 0, NODE) ?? false), {
      timeoutMs: 60_000,
      describe: () => Promise.resolve(JSON.stringify(tl.events().slice(-20))),
    });
    for (const name of PODS) {
      const key = `${APP_NS}/${name}`;
      const deleted = await waitFor<TimelineEvent>(`pod ${key} deleted`, () => Promise.resolve(tl.first('pod-deleted', lineAt - 1000, key) ?? false), { timeoutMs: 30_000 });
      expect(deleted.at - lineAt, `${key} deleted after the panic line`).to.be.at.most(REMEDIATION_BOUND_MS);
      const last = tl.pod(key);
      expect(isDisrupted(last), `${key} last seen ${JSON.stringify(last?.status)}`).to.equal(true);
      const annotations = last?.metadata?.annotations ?? {};
      expect(annotations[`${ANNOTATION_PREFIX}/reason-code`]).to.equal('KernelPanic');
      expect(annotations[`${ANNOTATION_PREFIX}/termination-reason`]).to.contain('Kernel panic - not syncing: sysrq triggered crash');
      expect(tl.first('pod-annotated', 0, key)?.at ?? Infinity).to.be.at.most(deleted.at);
    }
    const nodeMs = nodeDeleted.at - lineAt;
    figure(
      'panic-line-to-node-deleted',
      nodeMs,
      `collector logged the panic line → Node delete seen by a watch, proof of death on (${GUEST_CPUS} vCPUs, TCG); target ≤ 1500 ms`,
    );
    expect(nodeMs).to.be.at.most(REMEDIATION_BOUND_MS);

    const incident = await waitFor('the NodeIncident to be Remediated', async () => {
      const found = (await listNodeIncidents(w())).find((i) => i.spec?.node === NODE && i.status?.phase === 'Remediated');
      return found ?? false;
    }, { timeoutMs: 60_000, describe: async () => JSON.stringify(await listNodeIncidents(w())) });
    expectRemediatedRecord(incident);
    progress(`NodeIncident ${incident.metadata?.name ?? ''}: ${incident.status?.phase ?? ''}, ${incident.spec?.contextLines?.length ?? 0} context lines`);

    const core = w().cluster.kubeConfig.makeApiClient(CoreV1Api);
    const events: CoreV1Event[] = [
      ...(await core.listNamespacedEvent({ namespace: APP_NS })).items,
      ...(await core.listNamespacedEvent({ namespace: 'default' })).items,
    ];
    const about = (kind: string, name: string): CoreV1Event[] =>
      events.filter((e) => e.involvedObject.kind === kind && e.involvedObject.name === name && (e.message ?? '').includes('sysrq triggered crash'));
    for (const name of PODS) expect(about('Pod', name), `Events of pod ${name}`).to.not.be.empty;
    expect(about('Node', NODE), `Events of Node ${NODE}`).to.not.be.empty;

    const listed = incidentsOf(await cliJson(w(), c(), ['incidents']));
    expect(listed.map((i) => `${i.node} ${i.kind}`), JSON.stringify(listed)).to.include(`${NODE} KernelPanic`);
  });
});
