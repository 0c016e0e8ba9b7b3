import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { pino } from 'pino';
import { FakeConfigfs } from '../test-support/fake-configfs.js';
import { readTargets } from './configfs/read-targets.js';
import { createReconciler, type Reconciler } from './reconcile.js';
import type { AgentStatus, NextHopResult } from './types.js';

describe('reconciler', () => {
  let root: string;
  let dir: string;
  let fs: FakeConfigfs;
  let statuses: AgentStatus[];
  let reconfigured: number;
  let hops: Map<string, NextHopResult>;
  let reconciler: Reconciler;
  let netconsolePresent: boolean;

  const hop = (mac: string): NextHopResult => ({ ok: true, hop: { device: 'eth0', localIp: '10.0.0.2', nextHopIp: '10.0.0.1', mac, via: 'gateway' } });

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'lastgasp-agent-'));
    dir = join(root, 'netconsole');
    fs = await new FakeConfigfs({ dir, release: true, devices: ['eth0'] }).init();
    statuses = [];
    reconfigured = 0;
    netconsolePresent = true;
    hops = new Map([
      ['10.1.0.5', hop('aa:aa:aa:aa:aa:01')],
      ['10.1.0.6', hop('aa:aa:aa:aa:aa:01')],
    ]);
    reconciler = createReconciler({
      fs,
      prefix: 'lastgasp',
      nodeName: 'worker-1',
      logger: pino({ level: 'silent' }),
      prepare: () =>
        Promise.resolve(netconsolePresent ? { ok: true, dir, steps: [] } : { ok: false, detail: 'netconsole missing', steps: [] }),
      resolveNextHop: (address) =>
        Promise.resolve(hops.get(address) ?? { ok: false, error: { address, missing: 'neighbor', detail: `no MAC for ${address}` } }),
      recheckIntervalMs: 3_600_000,
      retryMs: 3_600_000,
      onStatus: (s) => statuses.push(s),
      onOutcomes: () => undefined,
      onPass: () => undefined,
      onReconfigured: () => {
        reconfigured += 1;
      },
    });
  });
  afterEach(async () => {
    await reconciler.stop();
    await rm(root, { recursive: true, force: true });
  });

  const settle = async () => {
    await reconciler.idle();
    return statuses.at(-1);
  };
  const remoteIps = async () => (await readTargets(fs, dir, 'lastgasp', 'lastgasp-probe')).map((t) => t.attributes.remote_ip).sort();

  it('two endpoints → two enabled targets, True with both and the features used', async () => {
    reconciler.setEndpoints([{ address: '10.1.0.5', port: 6666 }, { address: '10.1.0.6', port: 6666 }]);
    const status = await settle();
    expect(status).to.include({ ready: true, reason: 'TargetsConfigured', message: 'netconsole → 10.1.0.5:6666, 10.1.0.6:6666 (extended, release)' });
    expect(await fs.enabledTargets()).to.have.length(2);
    expect(reconfigured).to.equal(1);
  });

  it('nbcon netconsole with kernel.panic=10 → False PanicRebootSuppressesLastGasp, targets still armed; remedied → True', async () => {
    let check = { nbcon: true, panicSeconds: 10, sendsPanic: false, remedy: 'off' as const, detail: 'remedy off' };
    const checked = createReconciler({
      fs,
      prefix: 'lastgasp',
      nodeName: 'worker-1',
      logger: pino({ level: 'silent' }),
      prepare: () => Promise.resolve({ ok: true, dir, steps: [] }),
      resolveNextHop: (address) => Promise.resolve(hops.get(address) ?? { ok: false, error: { address, missing: 'neighbor', detail: 'x' } }),
      recheckIntervalMs: 3_600_000,
      retryMs: 3_600_000,
      onStatus: (s) => statuses.push(s),
      onOutcomes: () => undefined,
      onPass: () => undefined,
      onReconfigured: () => undefined,
      checkPanicReboot: () => Promise.resolve(check),
    });
    try {
      checked.setEndpoints([{ address: '10.1.0.5', port: 6666 }]);
      await checked.idle();
      const status = statuses.at(-1);
      expect(status).to.include({ ready: false, reason: 'PanicRebootSuppressesLastGasp' });
      expect(status?.message).to.match(/^nbcon netconsole with kernel\.panic=10: the kernel reboots before netconsole sends the panic/);
      expect(status?.message).to.contain('netconsole → 10.1.0.5:6666');
      expect(await fs.enabledTargets()).to.have.length(1);
      const applied = { nbcon: true, panicSeconds: 0, sendsPanic: true, remedy: 'applied' as const, detail: 'kernel.panic set 10 → 0 by the agent' };
      check = applied as unknown as typeof check;
      checked.trigger('re-check');
      await checked.idle();
      expect(statuses.at(-1)).to.include({ ready: true, reason: 'TargetsConfigured', message: 'netconsole → 10.1.0.5:6666 (extended, release); kernel.panic set 10 → 0 by the agent' });
    } finally {
      await checked.stop();
    }
  });

  it('endpoint replaced → the new target exists and the old one is gone; nothing changes on a re-check', async () => {
    reconciler.setEndpoints([{ address: '10.1.0.5', port: 6666 }]);
    await settle();
    reconciler.setEndpoints([{ address: '10.1.0.6', port: 6666 }]);
    await settle();
    expect(await remoteIps()).to.deep.equal(['10.1.0.6']);
    const opsBefore = fs.ops.length;
    reconciler.trigger('test re-check');
    await settle();
    expect(fs.ops.slice(opsBefore).filter((o) => o.op !== 'mkdir' && o.op !== 'rmdir')).to.deep.equal([]);
  });

  it('someone disabled our target → the next re-check re-enables it', async () => {
    reconciler.setEndpoints([{ address: '10.1.0.5', port: 6666 }]);
    await settle();
    const [name] = await fs.enabledTargets();
    await writeFile(join(dir, name ?? '', 'enabled'), '0\n');
    reconciler.trigger('test re-check');
    expect(await settle()).to.include({ ready: true });
    expect(await fs.enabledTargets()).to.deep.equal([name]);
  });

  it('gateway MAC changes → new target with the new MAC, old one removed', async () => {
    reconciler.setEndpoints([{ address: '10.1.0.5', port: 6666 }]);
    await settle();
    hops.set('10.1.0.5', hop('aa:aa:aa:aa:aa:02'));
    reconciler.trigger('neighbour changed');
    await settle();
    const targets = await readTargets(fs, dir, 'lastgasp', 'lastgasp-probe');
    expect(targets.map((t) => t.attributes.remote_mac)).to.deep.equal(['aa:aa:aa:aa:aa:02']);
  });

  it('neighbour unresolvable for the only endpoint → NeighborUnresolved, the existing target kept', async () => {
    reconciler.setEndpoints([{ address: '10.1.0.5', port: 6666 }]);
    await settle();
    hops.delete('10.1.0.5');
    reconciler.trigger('neighbour failed');
    const status = await settle();
    expect(status).to.include({ ready: false, reason: 'NeighborUnresolved' });
    expect(status?.message).to.include('10.1.0.5: neighbor missing');
    expect(await remoteIps()).to.deep.equal(['10.1.0.5']);
  });

  it('no endpoints → NoCollectorEndpoints, targets left in place', async () => {
    reconciler.setEndpoints([{ address: '10.1.0.5', port: 6666 }]);
    await settle();
    reconciler.setEndpoints([]);
    expect(await settle()).to.include({ ready: false, reason: 'NoCollectorEndpoints' });
    expect(await remoteIps()).to.deep.equal(['10.1.0.5']);
  });

  it('netconsole not available → ConfigfsUnavailable with the detail', async () => {
    netconsolePresent = false;
    reconciler.setEndpoints([{ address: '10.1.0.5', port: 6666 }]);
    expect(await settle()).to.deep.include({ ready: false, reason: 'ConfigfsUnavailable', message: 'netconsole missing' });
  });

  it('removeAll → every one of our targets removed', async () => {
    reconciler.setEndpoints([{ address: '10.1.0.5', port: 6666 }, { address: '10.1.0.6', port: 6666 }]);
    await settle();
    await reconciler.stop();
    expect(await reconciler.removeAll()).to.have.length(2);
    expect(await fs.list(dir)).to.deep.equal([]);
  });
});
