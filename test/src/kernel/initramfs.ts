// The guest's initramfs: static busybox, the kernel modules the guest needs before the host root is
// mounted (virtio, network, configfs, netconsole, 9p, virtio-serial), and test/kernel/init.sh as /init.
// Built once per (kernel, init script, module list, busybox) and cached beside the kernel package.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, rename, rm, symlink, writeFile, chmod } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { KernelTestBedError } from './errors.js';
import { mustRunHost } from './host-command.js';
import type { KernelPackage } from './kernel-package.js';
import { moduleLoadOrder, moduleName, parseModulesDep } from './module-order.js';
import { guestSourcesDir } from './paths.js';
import { findProgram } from './prerequisites.js';

/** Modules loaded by /init, by name; their dependencies are added in modules.dep order. */
export const INITRAMFS_MODULES: readonly string[] = [
  'virtio_pci',
  'virtio_net',
  'virtio_console',
  'configfs',
  'netconsole',
  '9pnet_virtio',
  '9p',
];

/** `wanted` minus the modules this kernel has built in (listed in modules.builtin by path). */
export function withoutBuiltins(wanted: readonly string[], modulesBuiltin: string): string[] {
  const builtin = new Set(modulesBuiltin.split('\n').filter((l) => l !== '').map(moduleName));
  return wanted.filter((m) => !builtin.has(m.replace(/-/g, '_')));
}

/** Decompresses one module with xz, zstd or gzip (by its suffix) into `target`. */
async function decompressModule(source: string, target: string): Promise<void> {
  const tool = source.endsWith('.zst') ? 'zstd' : source.endsWith('.gz') ? 'gzip' : 'xz';
  await mustRunHost('sh', ['-c', `${tool} -dc "$1" > "$2"`, 'sh', source, target]);
}

/** A busybox without a program interpreter (dynamic ones name ld-linux in their first page). */
function findStaticBusybox(): string {
  const candidates = ['/bin/busybox', '/usr/bin/busybox', findProgram('busybox')];
  for (const candidate of candidates) {
    if (candidate === null || !existsSync(candidate)) continue;
    if (!readFileSync(candidate).subarray(0, 4096).includes('ld-linux')) return candidate;
  }
  throw new KernelTestBedError('MISSING_PREREQUISITE', 'a static busybox is missing (apt-get install busybox-static)');
}

async function writeTree(tree: string, kernel: KernelPackage, busybox: string, modules: readonly string[]): Promise<void> {
  for (const dir of ['bin', 'dev', 'proc', 'sys', 'tmp', 'etc', 'lib/modules']) {
    await mkdir(join(tree, dir), { recursive: true });
  }
  await copyFile(busybox, join(tree, 'bin', 'busybox'));
  await chmod(join(tree, 'bin', 'busybox'), 0o755);
  const applets = (await mustRunHost(busybox, ['--list'])).split('\n').filter((a) => a !== '' && a !== 'busybox');
  for (const applet of applets) await symlink('busybox', join(tree, 'bin', applet));
  const loaded: string[] = [];
  for (const path of modules) {
    // busybox insmod takes plain .ko files only: compressed modules are decompressed here.
    const plain = path.replace(/\.ko\.(xz|zst|gz)$/, '.ko');
    const target = join(tree, 'lib', 'modules', plain);
    await mkdir(dirname(target), { recursive: true });
    if (plain === path) await copyFile(join(kernel.modulesDir, path), target);
    else await decompressModule(join(kernel.modulesDir, path), target);
    loaded.push(plain);
  }
  await writeFile(join(tree, 'etc', 'modules.order'), `${loaded.join('\n')}\n`);
  await copyFile(join(guestSourcesDir(), 'init.sh'), join(tree, 'init'));
  await chmod(join(tree, 'init'), 0o755);
}

/** Path of the gzipped newc cpio archive for `kernel`, building it when not cached. */
export async function ensureInitramfs(kernel: KernelPackage, log: (line: string) => void = () => undefined): Promise<string> {
  const busybox = findStaticBusybox();
  const deps = parseModulesDep(await readFile(join(kernel.modulesDir, 'modules.dep'), 'utf8'));
  const builtin = await readFile(join(kernel.modulesDir, 'modules.builtin'), 'utf8').catch(() => '');
  const modules = moduleLoadOrder(deps, withoutBuiltins(INITRAMFS_MODULES, builtin));
  const hash = createHash('sha256')
    .update(readFileSync(join(guestSourcesDir(), 'init.sh')))
    .update(modules.join('\n'))
    .update(readFileSync(busybox))
    .digest('hex')
    .slice(0, 16);
  const output = join(kernel.root, '..', `initramfs-${hash}.cpio.gz`);
  if (existsSync(output)) return output;

  log(`building initramfs ${output}`);
  const work = await mkdtemp(join(kernel.root, '..', 'initramfs-tmp-'));
  try {
    const tree = join(work, 'tree');
    await writeTree(tree, kernel, busybox, modules);
    const partial = join(work, 'initramfs.cpio.gz');
    await mustRunHost('sh', ['-c', 'cd "$1" && find . -print0 | cpio --null -o -H newc --quiet | gzip -1 > "$2"', 'sh', tree, partial]);
    await rename(partial, output);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  return output;
}
