import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { createNodeConfigfsFs } from './configfs-fs.js';
import { isConfigfsMounted, prepareConfigfs } from './prepare-configfs.js';

describe('prepareConfigfs', () => {
  let root: string;
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'lastgasp-agent-'));
  });
  afterEach(() => rm(root, { recursive: true, force: true }));

  const fs = createNodeConfigfsFs();
  const recorder = (effect: (file: string) => Promise<void> = () => Promise.resolve()) => {
    const runs: string[] = [];
    return {
      runs,
      run: async (file: string, args: string[]) => {
        runs.push([file, ...args].join(' '));
        await effect(file);
        return file === 'modprobe' ? { stdout: '', stderr: 'modprobe: FATAL: Module netconsole not found', code: 1 } : { stdout: '', stderr: '', code: 0 };
      },
    };
  };

  it('netconsole directory present → ready, nothing run', async () => {
    await mkdir(join(root, 'netconsole'));
    const r = recorder();
    const result = await prepareConfigfs(root, { fs, run: r.run, readMounts: () => Promise.resolve('') });
    expect(result).to.deep.equal({ ok: true, dir: join(root, 'netconsole'), steps: [] });
    expect(r.runs).to.deep.equal([]);
  });
  it('not mounted, mount makes it appear → mount only', async () => {
    const r = recorder((file) => (file === 'mount' ? mkdir(join(root, 'netconsole')) : Promise.resolve()));
    const result = await prepareConfigfs(root, { fs, run: r.run, readMounts: () => Promise.resolve('') });
    expect(result.ok).to.equal(true);
    expect(r.runs).to.deep.equal([`mount -t configfs none ${root}`]);
  });
  it('mounted, module missing → ConfigfsUnavailable detail names modprobe and the kernel options', async () => {
    const r = recorder();
    const mounts = `configfs ${root} configfs rw,relatime 0 0\n`;
    const result = await prepareConfigfs(root, { fs, run: r.run, readMounts: () => Promise.resolve(mounts) });
    expect(result.ok).to.equal(false);
    expect(r.runs).to.deep.equal(['modprobe netconsole']);
    if (!result.ok) expect(result.detail).to.match(/CONFIG_NETCONSOLE_DYNAMIC.*Module netconsole not found/);
  });
  it('root missing → error naming the root', async () => {
    const result = await prepareConfigfs(join(root, 'nope'), { fs, run: recorder().run, readMounts: () => Promise.resolve('') });
    expect(!result.ok && result.detail).to.match(/nope does not exist/);
  });
  it('isConfigfsMounted reads /proc/self/mounts lines', () => {
    expect(isConfigfsMounted('configfs /sys/kernel/config configfs rw 0 0\n', '/sys/kernel/config')).to.equal(true);
    expect(isConfigfsMounted('sysfs /sys sysfs rw 0 0\n', '/sys/kernel/config')).to.equal(false);
  });
});
