import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { planTargets, targetName } from '../plan-targets.js';
import type { TargetSpec } from '../types.js';
import { applyPlan, removeTarget } from './apply-targets.js';
import { FakeConfigfs, type FakeConfigfsOptions } from '../../test-support/fake-configfs.js';
import { readTargets } from './read-targets.js';

const spec = (address: string, extra: Partial<TargetSpec> = {}): TargetSpec => ({
  endpoint: { address, port: 6666 },
  devName: 'eth0',
  localIp: address.includes(':') ? 'fd00::2' : '10.0.0.2',
  remoteMac: 'aa:bb:cc:dd:ee:01',
  extended: true,
  release: false,
  userdataNode: null,
  sysdata: [],
  ratelimit: null,
  ...extra,
});

describe('applyPlan on a kernel-like configfs', () => {
  let root: string;
  let dir: string;
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'lastgasp-agent-'));
    dir = join(root, 'netconsole');
  });
  afterEach(() => rm(root, { recursive: true, force: true }));

  const fake = (options: Partial<FakeConfigfsOptions> = {}) => new FakeConfigfs({ dir, devices: ['eth0'], ...options }).init();
  const plan = async (fs: FakeConfigfs, desired: TargetSpec[]) =>
    planTargets({ prefix: 'lastgasp', desired, unresolved: [], observed: await readTargets(fs, dir, 'lastgasp', 'lastgasp-probe') });

  const creates = [
    { name: 'IPv4, extended', spec: spec('10.0.0.5'), options: {} },
    { name: 'IPv6, extended', spec: spec('fd00::5'), options: {} },
    { name: 'extended + release', spec: spec('10.0.0.5', { release: true }), options: { release: true } },
    { name: 'extended + release + userdata node', spec: spec('10.0.0.5', { release: true, userdataNode: 'worker-1' }), options: { release: true, userdata: true } },
    {
      name: '7.x: userdata node + sysdata msgid, cpu_nr, taskname',
      spec: spec('10.0.0.5', { release: true, userdataNode: 'worker-1', sysdata: ['cpu_nr', 'taskname', 'msgid'] }),
      options: { release: true, userdata: true, sysdata: true },
    },
    {
      name: 'newest: a rate limit',
      spec: spec('10.0.0.5', { ratelimit: { intervalMs: 5000, burst: 100 } }),
      options: { ratelimit: true },
    },
  ];
  for (const c of creates) {
    it(`create (${c.name}) → written while disabled, verified, then enabled`, async () => {
      const fs = await fake(c.options);
      const outcomes = await applyPlan(fs, dir, await plan(fs, [c.spec]));
      expect(outcomes.map((o) => o.result)).to.deep.equal(['ok']);
      const name = targetName('lastgasp', c.spec);
      expect(await fs.enabledTargets()).to.deep.equal([name]);
      const writes = fs.ops.filter((o) => o.op === 'write');
      expect(writes.at(-1)).to.deep.equal({ op: 'write', path: `${name}/enabled`, value: '1' });
      expect(writes.filter((w) => w.path.endsWith('/enabled'))).to.have.length(1);
      expect((await readFile(join(dir, name, 'remote_ip'), 'utf8')).trim()).to.equal(c.spec.endpoint.address);
      if (c.spec.userdataNode !== null) {
        expect((await readFile(join(dir, name, 'userdata', 'node', 'value'), 'utf8')).trim()).to.equal('worker-1');
      }
      if (c.options.sysdata === true) {
        const switches = await Promise.all(
          ['cpu_nr', 'taskname', 'release', 'msgid'].map(async (s) => `${s}=${(await readFile(join(dir, name, 'userdata', `${s}_enabled`), 'utf8')).trim()}`),
        );
        // release stays off: the release attribute already puts it in front of every header.
        expect(switches).to.deep.equal(['cpu_nr=1', 'taskname=1', 'release=0', 'msgid=1']);
        const [target] = await readTargets(fs, dir, 'lastgasp', 'lastgasp-probe');
        expect(target?.sysdata).to.deep.equal({ cpu_nr: '1', taskname: '1', release: '0', msgid: '1' });
        expect(target?.userdata).to.deep.equal({ node: 'worker-1' });
        // Read back as desired: the next plan keeps it.
        expect((await plan(fs, [c.spec])).keep).to.deep.equal([name]);
      }
      if (c.spec.ratelimit !== null) {
        expect((await readFile(join(dir, name, 'ratelimit_interval_ms'), 'utf8')).trim()).to.equal('5000');
        expect((await readFile(join(dir, name, 'ratelimit_burst'), 'utf8')).trim()).to.equal('100');
        expect((await plan(fs, [c.spec])).keep).to.deep.equal([name]);
      }
    });
  }

  it('drift: someone changed remote_port of our enabled target → disabled, rewritten, re-enabled', async () => {
    const fs = await fake();
    const s = spec('10.0.0.5');
    await applyPlan(fs, dir, await plan(fs, [s]));
    const name = targetName('lastgasp', s);
    await writeFile(join(dir, name, 'remote_port'), '7777\n');
    const repair = await plan(fs, [s]);
    expect(repair.actions.map((a) => a.kind)).to.deep.equal(['repair']);
    fs.ops.length = 0;
    const outcomes = await applyPlan(fs, dir, repair);
    expect(outcomes.map((o) => o.result)).to.deep.equal(['ok']);
    expect(fs.ops[0]).to.deep.equal({ op: 'write', path: `${name}/enabled`, value: '0' });
    expect((await readFile(join(dir, name, 'remote_port'), 'utf8')).trim()).to.equal('6666');
    expect(await fs.enabledTargets()).to.deep.equal([name]);
  });

  it('re-pointing a → b: b is enabled before a is removed (make-before-break)', async () => {
    const fs = await fake();
    const a = spec('10.0.0.5');
    const b = spec('10.0.0.6');
    await applyPlan(fs, dir, await plan(fs, [a]));
    fs.ops.length = 0;
    await applyPlan(fs, dir, await plan(fs, [b]));
    const enableB = fs.ops.findIndex((o) => o.path === `${targetName('lastgasp', b)}/enabled` && o.value === '1');
    const removeA = fs.ops.findIndex((o) => o.op === 'rmdir' && o.path === targetName('lastgasp', a));
    expect(enableB).to.be.greaterThan(-1);
    expect(removeA).to.be.greaterThan(enableB);
    expect(await fs.enabledTargets()).to.deep.equal([targetName('lastgasp', b)]);
  });

  it('enable refused (ENODEV) → the new target is removed again and the old one for that endpoint is kept', async () => {
    const fs = await fake({ devices: ['eth0'] });
    const old = spec('10.0.0.5');
    await applyPlan(fs, dir, await plan(fs, [old]));
    const moved = spec('10.0.0.5', { devName: 'bond0-slave' });
    const outcomes = await applyPlan(fs, dir, await plan(fs, [moved]));
    expect(outcomes.map((o) => [o.action.kind, o.result])).to.deep.equal([
      ['create', 'failed'],
      ['remove', 'skipped'],
    ]);
    expect(outcomes[0]?.error?.step).to.equal('enable');
    expect(outcomes[0]?.error?.errno).to.equal('ENODEV');
    expect(await fs.enabledTargets()).to.deep.equal([targetName('lastgasp', old)]);
    expect((await readTargets(fs, dir, 'lastgasp', 'lastgasp-probe')).map((t) => t.name)).to.deep.equal([targetName('lastgasp', old)]);
  });

  it('a write refused half-way (EINVAL on remote_mac) → target never enabled, removed, error names the attribute', async () => {
    const fs = await fake();
    const s = spec('10.0.0.5');
    fs.failNextWrite.set(`${targetName('lastgasp', s)}/remote_mac`, 'EINVAL');
    const outcomes = await applyPlan(fs, dir, await plan(fs, [s]));
    expect(outcomes[0]?.result).to.equal('failed');
    expect(outcomes[0]?.error?.message).to.match(/write: remote_mac=aa:bb:cc:dd:ee:01/);
    expect(fs.ops.some((o) => o.path.endsWith('/enabled') && o.value === '1')).to.equal(false);
    expect(await readTargets(fs, dir, 'lastgasp', 'lastgasp-probe')).to.deep.equal([]);
  });

  it('removing a target with userdata → userdata item removed first, then the target', async () => {
    const fs = await fake({ userdata: true });
    const s = spec('10.0.0.5', { userdataNode: 'worker-1' });
    await applyPlan(fs, dir, await plan(fs, [s]));
    const name = targetName('lastgasp', s);
    await removeTarget(fs, join(dir, name), name);
    expect(fs.ops.filter((o) => o.op === 'rmdir').map((o) => o.path)).to.deep.equal([`${name}/userdata/node`, name]);
  });

  it('targets without our prefix are never read or touched', async () => {
    const fs = await fake();
    await fs.mkdir(join(dir, 'admin-target'));
    await applyPlan(fs, dir, await plan(fs, [spec('10.0.0.5')]));
    expect(await readTargets(fs, dir, 'lastgasp', 'lastgasp-probe')).to.have.length(1);
    expect(fs.ops.filter((o) => o.path.startsWith('admin-target') && o.op !== 'mkdir')).to.deep.equal([]);
  });
});
