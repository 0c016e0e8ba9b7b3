// Debian's kernel package for the guest: downloaded with apt-get, unpacked with dpkg -x and indexed with
// depmod, once per machine, cached by version under <cache>/kernel-<version>/root.
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rename, rm } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { join } from 'node:path';
import { KernelTestBedError } from './errors.js';
import { mustRunHost, runHost } from './host-command.js';
import { cacheRoot, guestSourcesDir } from './paths.js';

export interface KernelPackage {
  /** ABI version as in the package name `linux-image-<version>-amd64`, e.g. `6.1.0-56`. */
  version: string;
  /** `uname -r` of the guest, e.g. `6.1.0-56-amd64`. */
  release: string;
  /** The unpacked package: `<root>/boot/vmlinuz-<release>`, `<root>/lib/modules/<release>/`. */
  root: string;
  vmlinuz: string;
  modulesDir: string;
}

/** Start of an xz stream: the compressed kernel inside Debian's bzImage (CONFIG_KERNEL_XZ). */
const XZ_MAGIC = Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]);

/**
 * The uncompressed ELF kernel beside the package (`<cache>/kernel-<version>/vmlinux-<release>`), extracted
 * once from the bzImage, or null when the image holds no xz payload. QEMU boots it directly through the
 * PVH entry point (CONFIG_PVH), which skips the in-guest decompression: about 18 s under emulation.
 */
export async function ensureUncompressedKernel(kernel: KernelPackage): Promise<string | null> {
  const output = join(kernel.root, '..', `vmlinux-${kernel.release}`);
  if (existsSync(output)) return output;
  const image = await readFile(kernel.vmlinuz);
  const offset = image.indexOf(XZ_MAGIC);
  if (offset < 0) return null;
  const partial = `${output}.tmp-${process.pid}`;
  const xz = spawn('xz', ['-dc', '--single-stream'], { stdio: ['pipe', 'pipe', 'ignore'] });
  const code = new Promise<number | null>((resolve) => {
    xz.on('error', () => resolve(null));
    xz.on('close', (c) => resolve(c));
  });
  const written = pipeline(xz.stdout, createWriteStream(partial));
  xz.stdin.on('error', () => undefined);
  xz.stdin.end(image.subarray(offset));
  await written;
  const elf = (await code) === 0 ? await readFile(partial).then((b) => b.subarray(0, 4).toString('latin1')) : '';
  if (elf !== '\x7fELF') {
    await rm(partial, { force: true });
    return null;
  }
  await rename(partial, output);
  return output;
}

/** The pinned version from test/kernel/versions.env, unless env LASTGASP_KERNEL_VERSION overrides it. */
export function kernelVersion(env: NodeJS.ProcessEnv = process.env): string {
  const override = env['LASTGASP_KERNEL_VERSION'];
  if (override !== undefined && override !== '') return override;
  const text = readFileSync(join(guestSourcesDir(), 'versions.env'), 'utf8');
  const match = /^KERNEL_VERSION=(\S+)$/m.exec(text);
  if (match?.[1] === undefined) throw new Error('test/kernel/versions.env has no KERNEL_VERSION=');
  return match[1];
}

function packageName(version: string): string {
  return `linux-image-${version}-amd64`;
}

function describePackage(root: string, version: string): KernelPackage {
  const release = `${version}-amd64`;
  return {
    version,
    release,
    root,
    vmlinuz: join(root, 'boot', `vmlinuz-${release}`),
    modulesDir: join(root, 'lib', 'modules', release),
  };
}

async function inArchive(name: string): Promise<boolean> {
  const shown = await runHost('apt-cache', ['show', '--no-all-versions', name]);
  return shown.code === 0 && shown.stdout.includes(`Package: ${name}`);
}

async function assertInArchive(version: string, log: (line: string) => void): Promise<void> {
  const name = packageName(version);
  if (await inArchive(name)) return;
  log(`${name} not in the package lists; running apt-get update`);
  await runHost('apt-get', ['update', '-qq']);
  if (await inArchive(name)) return;
  const meta = await runHost('apt-cache', ['depends', 'linux-image-amd64']);
  const current = /Depends: (linux-image-\S+)/.exec(meta.stdout)?.[1] ?? 'unknown';
  throw new KernelTestBedError(
    'KERNEL_NOT_IN_ARCHIVE',
    `${name} is no longer in the Debian archive (linux-image-amd64 now depends on ${current}); ` +
      'update KERNEL_VERSION in test/kernel/versions.env or set LASTGASP_KERNEL_VERSION',
  );
}

/** Returns the cached package, downloading and unpacking it first when needed. Safe to run concurrently. */
export async function ensureKernelPackage(options: { version?: string; log?: (line: string) => void } = {}): Promise<KernelPackage> {
  const version = options.version ?? kernelVersion();
  const log = options.log ?? (() => undefined);
  const dir = join(cacheRoot(), `kernel-${version}`);
  const root = join(dir, 'root');
  const described = describePackage(root, version);
  if (existsSync(join(described.modulesDir, 'modules.dep')) && existsSync(described.vmlinuz)) return described;

  await assertInArchive(version, log);
  await mkdir(dir, { recursive: true });
  const work = await mkdtemp(join(dir, 'tmp-'));
  try {
    log(`downloading ${packageName(version)}`);
    await mustRunHost('apt-get', ['download', '-q', packageName(version)], { cwd: work });
    const debs = (await readdir(work)).filter((f) => f.endsWith('.deb'));
    const deb = debs[0];
    if (deb === undefined) throw new KernelTestBedError('COMMAND_FAILED', `apt-get download left no .deb in ${work}`);
    const unpacked = join(work, 'root');
    log(`unpacking ${deb}`);
    await mustRunHost('dpkg', ['-x', join(work, deb), unpacked]);
    await mustRunHost('depmod', ['-b', unpacked, described.release]);
    try {
      await rename(unpacked, root);
    } catch (err) {
      // Another process finished first; its copy is as good as ours.
      if (!existsSync(join(described.modulesDir, 'modules.dep'))) throw err;
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  return described;
}
