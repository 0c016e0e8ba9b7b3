// Failover with a real kernel: two collector replicas on two host-side addresses, the agent in the
// guest keeps one netconsole target for each; the leader dies and the other takes over; the
// EndpointSlice is replaced by a third replica's address and the guest re-points without ever being
// left with no enabled target (sampled inside the guest); the guest then panics and the new replica
// remediates it.
import { createPod } from '@lastgasp/testbed/cluster';
import { waitFor } from '@lastgasp/testbed/testing';
import { consoleOnFailure } from '@lastgasp/testbed/kernel';
import { expect } from 'chai';
import type { CollectorProcess } from '../collector/index.js';
import { figure, progress } from './figures.js';
import { readGuestTargets, startTargetSampler, type TargetSample } from './guest-agent.js';
import { listNodeIncidents } from './scenario-reads.js';
import { bringUpWorld, HOST_ADDRESSES, type World } from './world.js';

const NODE = 'guest-failover';
const [ADDRESS_A, ADDRESS_B, ADDRESS_C] = HOST_ADDRESSES;

describe('collector failover and re-pointing with a real kernel (QEMU guest, agent in the guest)', function () {
  this.timeout(900_000);
  let world: World | null = null;
  const byIdentity = new Map<string, CollectorProcess>();
  const w = (): World => {
    if (world === null) throw new Error('the world was not brought up');
    return world;
  };
  const collector = (identity: string): CollectorProcess => {
    const c = byIdentity.get(identity);
    if (c === undefined) throw new Error(`no collector ${identity}`);
    return c;
  };
  const waitLeader = (want: (holder: string) => boolean, what: string): Promise<string> =>
    waitFor(`the collectors' Lease to be held by ${what}`, async () => {
      const holder = await w().leader();
      return holder !== null && want(holder) ? holder : false;
    }, { timeoutMs: 90_000, intervalMs: 250, describe: async () => `holder ${String(await w().leader())}` });
  consoleOnFailure(() => world?.vm.console() ?? null);
  afterEach(function () {
    if (this.currentTest?.state === 'failed' && world !== null) console.error(world.diagnostics());
  });

  before(async function () {
    this.timeout(1_800_000);
    world = await bringUpWorld({ nodeName: NODE, log: progress });
    for (const [identity, address] of [['collector-a', ADDRESS_A], ['collector-b', ADDRESS_B]] as const) {
      byIdentity.set(identity, await world.startCollector(address, identity));
    }
    await world.setSliceAddresses([ADDRESS_A, ADDRESS_B]);
    await createPod(world.cluster, { namespace: 'batch', name: 'job-0', nodeName: NODE });
    world.startAgent();
    await world.waitArmed([ADDRESS_A, ADDRESS_B], 300_000);
  });

  after(async function () {
    this.timeout(180_000);
    await world?.stop();
  });

  it('two collectors in the EndpointSlice → two enabled targets in the guest’s configfs, one per address', async () => {
    const targets = await readGuestTargets(w().vm);
    expect(targets.filter((t) => t.enabled).map((t) => t.remoteIp).sort(), JSON.stringify(targets)).to.deep.equal([ADDRESS_A, ADDRESS_B]);
  });

  it('the leader is killed (SIGKILL) → the other replica takes the Lease', async () => {
    const first = await waitLeader(() => true, 'either replica');
    const other = first === 'collector-a' ? 'collector-b' : 'collector-a';
    progress(`leader ${first}; killing it`);
    const killedAt = Date.now();
    await collector(first).kill();
    await waitLeader((h) => h === other, other);
    await collector(other).waitForLog('became leader', 30_000);
    progress(`${other} leads ${Date.now() - killedAt} ms after the kill (Lease 6 s)`);
    const targets = await readGuestTargets(w().vm);
    expect(targets.filter((t) => t.enabled)).to.have.length(2);
  });

  it('the EndpointSlice is replaced by a third collector → the guest re-points, never without an enabled target', async () => {
    const c = await w().startCollector(ADDRESS_C, 'collector-c');
    byIdentity.set('collector-c', c);
    const sampler = startTargetSampler(w().vm);
    try {
      await waitFor('the configfs sampler in the guest to report', () => Promise.resolve(sampler.offsetMs() !== null && sampler.changes().length > 0), { timeoutMs: 60_000 });
      const writtenAt = Date.now();
      await w().setSliceAddresses([ADDRESS_C]);
      const done = await waitFor<TargetSample>('the guest to send only to the third collector', () => {
        const last = sampler.changes().at(-1);
        return Promise.resolve(last !== undefined && last.enabled.join() === ADDRESS_C ? last : false);
      }, { timeoutMs: 120_000, describe: () => Promise.resolve(JSON.stringify(sampler.changes())) });
      const changes = sampler.changes();
      const offset = sampler.offsetMs() ?? 0;
      const interval = sampler.meanIntervalMs();
      const every = interval === null ? 'unknown' : `${interval.toFixed(0)} ms`;
      progress(`guest configfs states: ${changes.map((s) => `[${s.enabled.join(' ')}]`).join(' → ')} (${sampler.samples()} samples, one every ${every})`);
      expect(changes.filter((s) => s.enabled.length === 0), 'a moment with no enabled target').to.deep.equal([]);
      const firstWithC = changes.find((s) => s.enabled.includes(ADDRESS_C));
      if (firstWithC === undefined) throw new Error('never saw the third address');
      figure(
        'failover-repoint',
        firstWithC.t + offset - writtenAt,
        `EndpointSlice write → guest configfs shows remote_ip ${ADDRESS_C} enabled, sampled in the guest every ${every}; ` +
          `old targets gone after ${Math.round(done.t + offset - writtenAt)} ms`,
      );
    } finally {
      await sampler.stop();
    }
    const targets = await readGuestTargets(w().vm);
    expect(targets.map((t) => `${t.remoteIp} ${String(t.enabled)}`)).to.deep.equal([`${ADDRESS_C} true`]);
  });

  it('the old replica retires → the third leads, and a panic is remediated by it', async () => {
    const old = (await w().leader()) ?? '';
    if (old !== 'collector-c') await collector(old).stop();
    await waitLeader((h) => h === 'collector-c', 'collector-c');
    const panic = await w().vm.panic({ timeoutMs: 180_000 });
    progress(`QEMU gone ${panic.elapsedMs} ms after sysrq-c`);
    const c = collector('collector-c');
    const opened = await c.waitForLog('incident opened', 60_000, (e) => e.kind === 'KernelPanic');
    expect(opened).to.include({ node: NODE, fatal: true });
    const remediated = await c.waitForLog('node remediated', 60_000);
    progress(`collector-c remediated ${NODE}: ${JSON.stringify({ podsDeleted: remediated.podsDeleted, latencyMs: remediated.latencyMs })}`);
    const incident = await waitFor('the NodeIncident to be Remediated by collector-c', async () => {
      const found = (await listNodeIncidents(w())).find((i) => i.spec?.node === NODE);
      return found?.status?.phase === 'Remediated' ? found : false;
    }, { timeoutMs: 60_000, describe: async () => JSON.stringify(await listNodeIncidents(w())) });
    expect(incident.status).to.include({ remediatedBy: 'collector-c', podsDeleted: 1, nodeAction: 'delete' });
  });
});
