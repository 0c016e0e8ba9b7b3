// The panic scenario on the newer kernels users run (the full scenario, with the fake and forged last
// gasps, runs on 6.1 in panic.e2e.test.ts): Debian 13's 6.12 (legacy console, userdata) and
// trixie-backports' 7.3 (nbcon console, sysdata). Real collector, real control plane, the agent from this
// checkout in the guest. Each world: armed → canary → sysrq-c → panic line → Node deleted, with figures
// per kernel. On 7.3 the panic leaves only when the kernel hangs (kernel.panic=0): with the kubelet's
// kernel.panic=10 the agent must say the node is not protected before the panic, and with the remedy
// on (--panic-reboot set-panic-zero) the panic is handled.
import { createPod } from '@lastgasp/testbed/cluster';
import { consoleOnFailure, type KernelId } from '@lastgasp/testbed/kernel';
import { waitFor } from '@lastgasp/testbed/testing';
import { expect } from 'chai';
import type { CollectorProcess } from '../collector/index.js';
import { startClusterTimeline, type ClusterTimeline, type TimelineEvent } from './cluster-timeline.js';
import { figure, progress } from './figures.js';
import { cliJson, hostsOf, listNodeIncidents } from './scenario-reads.js';
import { ANNOTATION_PREFIX, bringUpWorld, GUEST_ADDRESS, HOST_ADDRESSES, type World } from './world.js';

const APP_NS = 'shop';
const POD = 'web-0';
const COLLECTOR_ADDRESS = HOST_ADDRESSES[0];
/** As in panic.e2e.test.ts: two vCPUs, proof of death on, the probe's timeout sized for TCG. */
const GUEST_CPUS = 2;
const COLLECTOR_CONFIG = {
  policy: { mode: 'immediate', proofOfDeath: { attemptTimeout: '600ms' }, storm: { maxNodesPerWindow: 1, windowSeconds: 600, maxPercentOfReadyNodes: 100 } },
};

interface Scenario {
  kernel: KernelId;
  /** The boot's panic= (kernel.panic until something writes it). */
  panic: number;
  /** Run the agent first without the remedy (expect the warning), then with --panic-reboot set-panic-zero. */
  remedy: boolean;
  /** Feature names the agent's condition message must list, and ones it must not. */
  features: string[];
  absent: string[];
  /** sysdata keys the panic's records carry. */
  sysdata: string[];
}

const SCENARIOS: Scenario[] = [
  { kernel: '6.12', panic: 10, remedy: false, features: ['extended', 'release', 'userdata'], absent: ['sysdata'], sysdata: [] },
  { kernel: '7.3', panic: 0, remedy: false, features: ['userdata', 'sysdata:msgid', 'sysdata:cpu_nr', 'sysdata:taskname'], absent: ['ratelimit'], sysdata: ['msgid', 'cpu', 'taskname'] },
  { kernel: '7.3', panic: 10, remedy: true, features: ['userdata', 'sysdata:msgid'], absent: [], sysdata: ['msgid', 'cpu', 'taskname'] },
];

/** The rows of a `lastgasp <list> -o json` answer (an array, or under `key`). */
function rowsOf(json: unknown, key: string): Record<string, unknown>[] {
  const list = Array.isArray(json) ? json : (json as Record<string, unknown> | null)?.[key];
  return Array.isArray(list) ? (list as Record<string, unknown>[]) : [];
}

/** The incident of the guest as `lastgasp incidents -o json` lists it, with its userdata. */
async function panicIncident(world: World, collector: CollectorProcess): Promise<Record<string, unknown> | null> {
  const rows = rowsOf(await cliJson(world, collector, ['incidents']), 'incidents');
  return rows.find((i) => i.kind === 'KernelPanic' && String(i.summary).includes('sysrq triggered crash')) ?? null;
}

/** The guest's row of `lastgasp hosts -o json`. */
async function guestHost(world: World, collector: CollectorProcess): Promise<Record<string, unknown> | null> {
  return rowsOf(await cliJson(world, collector, ['hosts']), 'hosts').find((h) => h.address === GUEST_ADDRESS) ?? null;
}

for (const s of SCENARIOS) {
  const node = `guest-${s.kernel.replace('.', '-')}-panic${s.panic}`;
  const label = `${s.kernel} kernel.panic=${s.panic}${s.remedy ? ' + remedy' : ''}`;
  describe(`a real kernel panic on ${s.kernel} (kernel.panic=${s.panic}${s.remedy ? ', the agent reports it and then sets kernel.panic=0' : ''})`, function () {
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
      world = await bringUpWorld({ nodeName: node, log: progress, cpus: GUEST_CPUS, collectorConfig: COLLECTOR_CONFIG, kernel: s.kernel, panicTimeoutSeconds: s.panic });
      progress(`kernel ${world.vm.kernel.release} (${s.kernel}), guest boot ${world.vm.bootMs} ms (${world.vm.accel})`);
      collector = await world.startCollector(COLLECTOR_ADDRESS, 'collector-a');
      await world.setSliceAddresses([COLLECTOR_ADDRESS]);
      await createPod(world.cluster, { namespace: APP_NS, name: POD, nodeName: node, labels: { app: 'shop' } });
      timeline = await startClusterTimeline(world.cluster.kubeConfig, ANNOTATION_PREFIX);
    });

    after(async function () {
      this.timeout(180_000);
      timeline?.stop();
      await world?.stop();
    });

    if (s.remedy) {
      it('without the remedy the agent arms netconsole but reports the node as not protected: PanicRebootSuppressesLastGasp', async () => {
        const agentStart = Date.now();
        w().startAgent();
        const condition = await w().waitCondition(
          'LastGaspReady False PanicRebootSuppressesLastGasp',
          (cond) => cond.status === 'False' && cond.reason === 'PanicRebootSuppressesLastGasp',
          300_000,
        );
        progress(`LastGaspReady ${condition.status}: ${condition.reason ?? ''} — ${condition.message ?? ''}`);
        figure(`boot-to-reported-${label}`, Date.now() - w().bootStartedAt, `guest boot start → condition PanicRebootSuppressesLastGasp; agent start → reported ${Date.now() - agentStart} ms`);
        expect(condition.message).to.match(/^nbcon netconsole with kernel\.panic=10: the kernel reboots before netconsole sends the panic/);
        expect(condition.message).to.contain('agent.panicReboot: set-panic-zero');
        expect(condition.message).to.contain(`netconsole → ${COLLECTOR_ADDRESS}:6666`);
        const panic = await w().vm.run('cat /proc/sys/kernel/panic');
        expect(panic.stdout.trim(), 'report only: kernel.panic untouched').to.equal('10');
        // The agent's canary tells the collector too: `lastgasp hosts` shows the node's panic line as not sent.
        const host = await waitFor('`lastgasp hosts` to show the panic line suppressed', async () => {
          const row = await guestHost(w(), c());
          return row?.panicLine === 'suppressed' ? row : false;
        }, { timeoutMs: 120_000, intervalMs: 1000 });
        progress(`lastgasp hosts: ${JSON.stringify(host)}`);
        await w().agent?.stop();
      });
    }

    it(`the agent arms netconsole with the kernel's features (${s.features.join(', ')})${s.remedy ? ' and sets kernel.panic=0' : ''}`, async () => {
      const agentStart = Date.now();
      w().startAgent(undefined, s.remedy ? ['--panic-reboot', 'set-panic-zero'] : []);
      const condition = await w().waitArmed([COLLECTOR_ADDRESS], 300_000);
      const armedAt = Date.now();
      progress(`LastGaspReady: ${condition.reason ?? ''} — ${condition.message ?? ''}`);
      figure(`boot-to-armed-${label}`, armedAt - w().bootStartedAt, `guest boot start → LastGaspReady True; guest boot ${w().vm.bootMs} ms (${w().vm.accel}), agent start → armed ${armedAt - agentStart} ms; ${w().vm.kernel.release}`);
      for (const f of s.features) expect(condition.message, f).to.contain(f);
      for (const f of s.absent) expect(condition.message, f).to.not.contain(f);
      if (s.remedy) {
        // The condition can be written once armed and again once the remedy is applied: wait for the second.
        const remedied = await w().waitCondition('LastGaspReady naming the remedy', (c) => c.status === 'True' && (c.message ?? '').includes('kernel.panic set 10 → 0'), 60_000);
        expect(remedied.message).to.contain('kernel.panic set 10 → 0 by the agent');
        expect((await w().vm.run('cat /proc/sys/kernel/panic')).stdout.trim()).to.equal('0');
      }
    });

    it('the canary arrives with the kernel release and is mapped to the guest\'s Node', async () => {
      const host = await waitFor('`lastgasp hosts` to show the canary of the guest', async () => {
        const h = hostsOf(await cliJson(w(), c(), ['hosts'])).find((x) => x.address === GUEST_ADDRESS);
        return h?.lastCanaryNode === node ? h : false;
      }, { timeoutMs: 120_000, intervalMs: 1000 });
      expect(host.node).to.equal(node);
      // The canary of this agent says the panic line will be sent (after the remedy on 7.3 with panic=10).
      const row = await waitFor('`lastgasp hosts` to show the panic line sent', async () => {
        const r = await guestHost(w(), c());
        return r?.panicLine === 'sent' ? r : false;
      }, { timeoutMs: 120_000, intervalMs: 1000 });
      progress(`lastgasp hosts: ${JSON.stringify(row)}`);
      expect(row?.kernelRelease).to.equal(w().vm.kernel.release);
      // What the wire shows of this kernel's netconsole.
      const features = (row?.wireFeatures ?? []) as string[];
      expect(features).to.include.members(['release', 'userdata']);
      for (const key of s.sysdata) expect(features).to.include(`sysdata:${key}`);
      if (s.sysdata.length === 0) expect(features.filter((f) => f.startsWith('sysdata:'))).to.deep.equal([]);
      expect(Number(row?.messagesLost ?? 0), 'nothing lost on the TAP').to.equal(0);
    });

    if (s.kernel === '7.3' && !s.remedy) {
      it('a userspace fake (`echo "<0>Kernel panic - not syncing: fake" > /dev/kmsg`) arrives and opens nothing', async () => {
        const recordsNow = async (): Promise<number> => Number((await guestHost(w(), c()))?.records ?? -1);
        const before = await recordsNow();
        const wrote = await w().vm.run(`echo "<0>Kernel panic - not syncing: fake lastgasp-fake-${Date.now()}" > /dev/kmsg`);
        expect(wrote.code, wrote.stderr).to.equal(0);
        await waitFor('the fake line to reach the collector', async () => ((await recordsNow()) > before ? true : false), { timeoutMs: 60_000, intervalMs: 500 });
        expect(c().log().filter((e) => e.msg === 'incident opened')).to.deep.equal([]);
        expect(rowsOf(await cliJson(w(), c(), ['incidents']), 'incidents')).to.deep.equal([]);
        expect(await listNodeIncidents(w())).to.deep.equal([]);
      });
    }

    if (s.sysdata.includes('msgid') && !s.remedy) {
      it('msgid: datagrams dropped on purpose (an iptables rule in the test\'s namespace) are counted as lost', async () => {
        const tap = w().vm.network.tapName;
        const lostNow = async (): Promise<number> => Number((await guestHost(w(), c()))?.messagesLost ?? -1);
        const recordsNow = async (): Promise<number> => Number((await guestHost(w(), c()))?.records ?? -1);
        expect(await lostNow()).to.equal(0);
        const rule = ['INPUT', '-i', tap, '-p', 'udp', '--dport', '6666', '-j', 'DROP'];
        const iptables = async (args: string[]): Promise<void> => {
          const r = await w().vm.network.run('iptables', args);
          expect(r.code, `iptables ${args.join(' ')}: ${r.stderr}`).to.equal(0);
        };
        const DROPPED = 3;
        await iptables(['-A', ...rule]);
        try {
          // Each line is one message of the target (one msgid), all dropped before the collector's socket.
          const wrote = await w().vm.run(`for i in ${Array.from({ length: DROPPED }, (_, i) => i + 1).join(' ')}; do echo "<4>lastgasp-msgid-gap-$i" > /dev/kmsg; done; sleep 1`);
          expect(wrote.code, wrote.stderr).to.equal(0);
        } finally {
          await iptables(['-D', ...rule]);
        }
        const before = await recordsNow();
        await w().vm.run('echo "<4>lastgasp-msgid-after-gap" > /dev/kmsg');
        await waitFor('the line after the gap to arrive', async () => ((await recordsNow()) > before ? true : false), { timeoutMs: 60_000, intervalMs: 500 });
        const lost = await lostNow();
        progress(`messages lost per lastgasp hosts: ${lost}`);
        expect(lost).to.equal(DROPPED);
      });
    }

    it('sysrq-c: the panic line arrives with userdata node= (cross-checked against the address), the Node is deleted', async () => {
      const tl = timeline;
      if (tl === null) throw new Error('no timeline');
      const panic = await w().vm.panic({ timeoutMs: 180_000, hangs: s.remedy || s.panic === 0 });
      progress(`QEMU ${panic.exitCode === null ? 'stopped after the panic trailer' : 'gone'} ${panic.elapsedMs} ms after sysrq-c`);
      const opened = await c().waitForLog('incident opened', 60_000, (e) => e.kind === 'KernelPanic' && String(e.summary).includes('sysrq triggered crash'));
      expect(opened).to.include({ node, source: GUEST_ADDRESS, fatal: true });
      const lineAt = opened.time;
      const deleted = await waitFor<TimelineEvent>(`Node ${node} deleted`, () => Promise.resolve(tl.first('node-deleted', 0, node) ?? false), {
        timeoutMs: 60_000,
        describe: () => Promise.resolve(JSON.stringify(tl.events().slice(-20))),
      });
      figure(`panic-line-to-node-deleted-${label}`, deleted.at - lineAt, `collector logged the panic line → Node delete seen by a watch, proof of death on (${GUEST_CPUS} vCPUs, TCG); ${w().vm.kernel.release}`);
      await waitFor(`pod ${APP_NS}/${POD} deleted`, () => Promise.resolve(tl.first('pod-deleted', lineAt - 1000, `${APP_NS}/${POD}`) ?? false), { timeoutMs: 30_000 });

      const incident = await waitFor('the NodeIncident Remediated', async () => {
        const found = (await listNodeIncidents(w())).find((i) => i.spec?.node === node && i.status?.phase === 'Remediated');
        return found ?? false;
      }, { timeoutMs: 60_000, describe: async () => JSON.stringify(await listNodeIncidents(w())) });
      expect(incident.spec?.contextLines?.join('\n')).to.match(/Kernel panic - not syncing: sysrq triggered crash/);
      expect(incident.status?.proof?.verdict).to.equal('dead');

      // The kernel named its node in every record (userdata node=); the collector took the incident for
      // that Node only because the name and the source address agree (a disagreement is refused).
      const listed = await panicIncident(w(), c());
      const userdata = (listed?.userdata ?? {}) as Record<string, string>;
      progress(`incident userdata: ${JSON.stringify(userdata)}`);
      expect(userdata.node).to.equal(node);
      for (const key of s.sysdata) expect(userdata, `sysdata ${key}`).to.have.property(key);
      if (s.sysdata.includes('msgid')) expect(Number(userdata.msgid)).to.be.a('number').and.not.NaN;
      expect(c().log().filter((e) => String(e.msg).includes('userdata names node'))).to.deep.equal([]);
    });
  });
}
