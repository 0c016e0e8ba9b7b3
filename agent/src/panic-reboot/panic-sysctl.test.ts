import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { checkPanicReboot, protectKernelDefaultsOf, type PanicRebootPaths } from './panic-sysctl.js';

const NBCON = 'ttyS0                -W- (EC Np a)    4:64\nnetcon0              -W- (E  N   )\n';
const LEGACY = 'netcon_ext0          -W- (E      )\n';

describe('checkPanicReboot (files)', () => {
  let dir: string;
  let paths: PanicRebootPaths;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lastgasp-panic-'));
    paths = { consolesPath: join(dir, 'consoles'), panicPath: join(dir, 'panic'), kubeletConfigPath: join(dir, 'config.yaml') };
    await writeFile(paths.panicPath, '10\n');
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('legacy netconsole with kernel.panic=10: sends, nothing written', async () => {
    await writeFile(paths.consolesPath, LEGACY);
    const check = await checkPanicReboot(paths, 'set-panic-zero');
    expect(check).to.include({ nbcon: false, panicSeconds: 10, sendsPanic: true, remedy: 'not-needed' });
    expect(await readFile(paths.panicPath, 'utf8')).to.equal('10\n');
  });
  it('nbcon with kernel.panic=10, report only: does not send, nothing written', async () => {
    await writeFile(paths.consolesPath, NBCON);
    const check = await checkPanicReboot(paths, 'report');
    expect(check).to.include({ nbcon: true, panicSeconds: 10, sendsPanic: false, remedy: 'off' });
    expect(await readFile(paths.panicPath, 'utf8')).to.equal('10\n');
  });
  it('nbcon with kernel.panic=10, remedy on, kubelet config without protectKernelDefaults: writes 0', async () => {
    await writeFile(paths.consolesPath, NBCON);
    await writeFile(paths.kubeletConfigPath, 'apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\n');
    const check = await checkPanicReboot(paths, 'set-panic-zero');
    expect(check).to.include({ sendsPanic: true, remedy: 'applied', panicSeconds: 0 });
    expect(check.detail).to.equal('kernel.panic set 10 → 0 by the agent (nbcon netconsole sends the panic only when the kernel hangs)');
    expect(await readFile(paths.panicPath, 'utf8')).to.equal('0');
  });
  it('remedy on, no kubelet config: writes 0 and says protectKernelDefaults was not checked', async () => {
    await writeFile(paths.consolesPath, NBCON);
    const check = await checkPanicReboot(paths, 'set-panic-zero');
    expect(check.remedy).to.equal('applied');
    expect(check.detail).to.contain(`kubelet config not found at ${paths.kubeletConfigPath}, protectKernelDefaults unchecked`);
  });
  it('remedy on, protectKernelDefaults: true: refuses, nothing written', async () => {
    await writeFile(paths.consolesPath, NBCON);
    await writeFile(paths.kubeletConfigPath, 'kind: KubeletConfiguration\nprotectKernelDefaults: true\n');
    const check = await checkPanicReboot(paths, 'set-panic-zero');
    expect(check).to.include({ sendsPanic: false, remedy: 'refused' });
    expect(check.detail).to.contain('protectKernelDefaults: true');
    expect(await readFile(paths.panicPath, 'utf8')).to.equal('10\n');
  });
  it('remedy on, /proc/sys read-only (capabilities mode): refuses and says why', async () => {
    await writeFile(paths.consolesPath, NBCON);
    const io = {
      read: (p: string) => readFile(p, 'utf8'),
      write: () => Promise.reject(Object.assign(new Error('EROFS: read-only file system'), { code: 'EROFS' })),
    };
    const check = await checkPanicReboot(paths, 'set-panic-zero', io);
    expect(check).to.include({ sendsPanic: false, remedy: 'refused' });
    expect(check.detail).to.contain('is read-only here (EROFS: the agent runs in capabilities mode');
  });
  it('protectKernelDefaults from a KubeletConfiguration', () => {
    expect(protectKernelDefaultsOf('protectKernelDefaults: true')).to.equal(true);
    expect(protectKernelDefaultsOf('protectKernelDefaults: false')).to.equal(false);
    expect(protectKernelDefaultsOf('kind: KubeletConfiguration')).to.equal(false);
    expect(protectKernelDefaultsOf(null)).to.equal(null);
  });
});
