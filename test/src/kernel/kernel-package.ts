// Debian's kernel packages for the guest, one kernel line of kernel-matrix.ts at a time: the version
// resolved in the archive through the bed's own apt configuration, the .deb files downloaded with apt-get
// (kept in <cache>/kernel-debs), unpacked with dpkg -x and indexed with depmod, once per machine, cached
// by version under <cache>/kernel-<version>/root.
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { basename, join } from 'node:path';
import { KernelTestBedError } from './errors.js';
import { mustRunHost, runHost } from './host-command.js';
import { defaultKernelId, KERNEL_LINES, kernelLine, pickVersion, pinnedVersion, releaseOf, type KernelId, type KernelLine } from './kernel-matrix.js';
import { cacheRoot } from './paths.js';

export interface KernelPackage {
  /** The kernel line (series) it belongs to. */
  id: KernelId;
  /** ABI version as in the package name `linux-image-<version>-amd64`, e.g. `6.1.0-56`. */
  version: string;
  /** `uname -r` of the guest, e.g. `6.1.0-56-amd64`. */
  release: string;
  /** The unpacked packages: `<root>/lib/modules/<release>/` and the image (boot/ or usr/lib/modules/<release>/). */
  root: string;
  vmlinuz: string;
  modulesDir: string;
}

/** Starts of the compressed kernel inside Debian's bzImage: xz (Debian 12) or zstd (Debian 13). */
const PAYLOADS = [
  { magic: Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]), tool: 'xz', args: ['-dc', '--single-stream'] },
  // zstd -d stops with an error at the trailing bytes after the frame; the ELF written before counts.
  { magic: Buffer.from([0x28, 0xb5, 0x2f, 0xfd]), tool: 'zstd', args: ['-dc'] },
] as const;

/**
 * The uncompressed ELF kernel beside the package (`<cache>/kernel-<version>/vmlinux-<release>`), extracted
 * once from the bzImage, or null when the image holds no xz or zstd payload. QEMU boots it directly through the
 * PVH entry point (CONFIG_PVH), which skips the in-guest decompression: about 18 s under emulation.
 */
export async function ensureUncompressedKernel(kernel: KernelPackage): Promise<string | null> {
  const output = join(kernel.root, '..', `vmlinux-${kernel.release}`);
  if (existsSync(output)) return output;
  const image = await readFile(kernel.vmlinuz);
  const found = PAYLOADS.map((p) => ({ ...p, offset: image.indexOf(p.magic) })).filter((p) => p.offset >= 0);
  const payload = found.sort((a, b) => a.offset - b.offset)[0];
  if (payload === undefined) return null;
  const offset = payload.offset;
  const partial = `${output}.tmp-${process.pid}`;
  const xz = spawn(payload.tool, [...payload.args], { stdio: ['pipe', 'pipe', 'ignore'] });
  const code = new Promise<number | null>((resolve) => {
    xz.on('error', () => resolve(null));
    xz.on('close', (c) => resolve(c));
  });
  const written = pipeline(xz.stdout, createWriteStream(partial));
  xz.stdin.on('error', () => undefined);
  xz.stdin.end(image.subarray(offset));
  await written;
  const exit = await code;
  const elf = exit === 0 || payload.tool === 'zstd' ? await readFile(partial).then((b) => b.subarray(0, 4).toString('latin1')) : '';
  if (elf !== '\x7fELF') {
    await rm(partial, { force: true });
    return null;
  }
  await rename(partial, output);
  return output;
}

/** The pinned 6.1 version from test/kernel/versions.env, unless env LASTGASP_KERNEL_VERSION overrides it. */
export function kernelVersion(env: NodeJS.ProcessEnv = process.env): string {
  const pinned = pinnedVersion(kernelLine('6.1'), env);
  if (pinned === null) throw new Error('test/kernel/versions.env has no KERNEL_VERSION=');
  return pinned;
}

/** Where a kernel of `version` is kept: `<cache>/kernel-<version>/root` holds the unpacked packages. */
function describePackage(id: KernelId, version: string): KernelPackage {
  const root = join(cacheRoot(), `kernel-${version}`, 'root');
  const release = releaseOf(version);
  // Debian 12 puts the image in /boot; Debian 13's merged /usr packages under /usr/lib/modules.
  const inBoot = join(root, 'boot', `vmlinuz-${release}`);
  const vmlinuz = existsSync(inBoot) ? inBoot : join(root, 'usr', 'lib', 'modules', release, 'vmlinuz');
  return { id, version, release, root, vmlinuz, modulesDir: join(root, 'lib', 'modules', release) };
}

function unpacked(p: KernelPackage): boolean {
  return existsSync(join(p.modulesDir, 'modules.dep')) && existsSync(p.vmlinuz);
}

/** The bed's record of which version each kernel line resolved to: `<cache>/kernel-matrix.json`. */
function recordPath(): string {
  return join(cacheRoot(), 'kernel-matrix.json');
}

function readRecord(): Partial<Record<KernelId, { version: string; resolvedAt: string }>> {
  try {
    return JSON.parse(readFileSync(recordPath(), 'utf8')) as Partial<Record<KernelId, { version: string; resolvedAt: string }>>;
  } catch {
    return {};
  }
}

async function writeRecord(id: KernelId, version: string): Promise<void> {
  const record = { ...readRecord(), [id]: { version, resolvedAt: new Date().toISOString() } };
  const partial = `${recordPath()}.tmp-${process.pid}`;
  await writeFile(partial, `${JSON.stringify(record, null, 2)}\n`);
  await rename(partial, recordPath());
}

/**
 * The bed's own apt configuration (the machine's sources are never changed): a sources list with every
 * suite of KERNEL_LINES, its own package lists and archive cache under `<cache>/apt`.
 */
async function aptOptions(): Promise<string[]> {
  const dir = join(cacheRoot(), 'apt');
  const sources = join(dir, 'sources.list');
  const suites = [...new Set(KERNEL_LINES.map((l) => l.suite))];
  const text = suites.map((s) => `deb [signed-by=${DEBIAN_KEYRING}] ${DEBIAN_MIRROR} ${s} main\n`).join('');
  await mkdir(join(dir, 'lists', 'partial'), { recursive: true });
  await mkdir(join(dir, 'cache', 'archives', 'partial'), { recursive: true });
  if (!existsSync(sources) || readFileSync(sources, 'utf8') !== text) await writeFile(sources, text);
  return [
    '-o', `Dir::Etc::sourcelist=${sources}`,
    '-o', 'Dir::Etc::sourceparts=-',
    '-o', `Dir::State::Lists=${join(dir, 'lists')}`,
    '-o', `Dir::Cache=${join(dir, 'cache')}`,
    '-o', 'APT::Sandbox::User=root',
  ];
}

const DEBIAN_MIRROR = process.env['LASTGASP_DEBIAN_MIRROR'] ?? 'http://deb.debian.org/debian';
const DEBIAN_KEYRING = '/usr/share/keyrings/debian-archive-keyring.gpg';

let listsUpdated = false;

async function updateLists(options: string[], log: (line: string) => void): Promise<void> {
  if (listsUpdated) return;
  log(`apt-get update (the bed's own sources: ${[...new Set(KERNEL_LINES.map((l) => l.suite))].join(', ')})`);
  await mustRunHost('apt-get', [...options, 'update', '-qq']);
  listsUpdated = true;
}

async function packageNames(options: string[], prefix: string): Promise<string[]> {
  const listed = await runHost('apt-cache', [...options, 'pkgnames', prefix]);
  return listed.code === 0 ? listed.stdout.split('\n').filter((n) => n !== '') : [];
}

/** Picks the version of `line` from the archive (updating the bed's package lists when they lack it). */
async function resolveVersion(line: KernelLine, options: string[], log: (line: string) => void): Promise<string> {
  const pinned = pinnedVersion(line);
  let version = pickVersion(line, await packageNames(options, line.namePrefix), pinned);
  if (version === null || version !== pinned) {
    await updateLists(options, log);
    version = pickVersion(line, await packageNames(options, line.namePrefix), pinned);
  }
  if (version === null) {
    throw new KernelTestBedError(
      'KERNEL_NOT_IN_ARCHIVE',
      `no ${line.namePrefix}* package in Debian ${line.suite} any more; update ${line.pinKey} and KERNEL_LINES (test/src/kernel/kernel-matrix.ts)`,
    );
  }
  if (pinned !== null && version !== pinned) log(`kernel ${line.id}: pinned ${pinned} is no longer in ${line.suite}; using ${version}`);
  return version;
}

/** `<cache>/kernel-debs/<name>_*.deb`, downloaded with the bed's apt configuration unless present. */
async function ensureDeb(name: string, options: string[], log: (line: string) => void): Promise<string> {
  const dir = join(cacheRoot(), 'kernel-debs');
  await mkdir(dir, { recursive: true });
  const find = async () => (await readdir(dir)).find((f) => f.startsWith(`${name}_`) && f.endsWith('.deb'));
  let deb = await find();
  if (deb === undefined) {
    log(`downloading ${name}`);
    let result = await runHost('apt-get', [...options, 'download', '-q', name], { cwd: dir });
    if (result.code !== 0) {
      // Stale lists name a file the mirror no longer has: refresh them once and try again.
      await updateLists(options, log);
      result = await runHost('apt-get', [...options, 'download', '-q', name], { cwd: dir });
    }
    if (result.code !== 0) throw new KernelTestBedError('COMMAND_FAILED', `apt-get download ${name}: ${result.stderr.trim().slice(-2000)}`);
    deb = await find();
  }
  if (deb === undefined) throw new KernelTestBedError('COMMAND_FAILED', `apt-get download ${name} left no .deb in ${dir}`);
  return join(dir, deb);
}

/**
 * Returns the cached kernel of line `kernel` (default: env LASTGASP_KERNEL, else 6.1), resolving its version
 * in the archive, downloading and unpacking it first when needed. The version used is recorded in
 * `<cache>/kernel-matrix.json`. Safe to run concurrently.
 */
export async function ensureKernelPackage(options: { kernel?: KernelId; log?: (line: string) => void } = {}): Promise<KernelPackage> {
  const id = options.kernel ?? defaultKernelId();
  const line = kernelLine(id);
  const log = options.log ?? (() => undefined);
  const recorded = readRecord()[id]?.version;
  const pinned = pinnedVersion(line);
  // A recorded (or pinned) version already unpacked is used without asking the archive.
  for (const candidate of [id === '6.1' ? pinned : null, recorded, pinned]) {
    if (candidate === null || candidate === undefined) continue;
    const cached = describePackage(id, candidate);
    if (unpacked(cached)) {
      if (recorded !== candidate) await writeRecord(id, candidate);
      return cached;
    }
  }
  const options_ = await aptOptions();
  const version = await resolveVersion(line, options_, log);
  let described = describePackage(id, version);
  if (!unpacked(described)) {
    const dir = join(cacheRoot(), `kernel-${version}`);
    await mkdir(dir, { recursive: true });
    const work = await mkdtemp(join(dir, 'tmp-'));
    try {
      const into = join(work, 'root');
      for (const name of line.packages(version)) {
        const deb = await ensureDeb(name, options_, log);
        log(`unpacking ${basename(deb)}`);
        await mustRunHost('dpkg', ['-x', deb, into]);
      }
      // depmod and modprobe -d look under <root>/lib/modules: merged-/usr packages have only usr/lib.
      if (!existsSync(join(into, 'lib')) && existsSync(join(into, 'usr', 'lib', 'modules'))) await symlink('usr/lib', join(into, 'lib'));
      await mustRunHost('depmod', ['-b', into, releaseOf(version)]);
      try {
        await rename(into, described.root);
      } catch (err) {
        // Another process finished first; its copy is as good as ours.
        if (!unpacked(describePackage(id, version))) throw err;
      }
    } finally {
      await rm(work, { recursive: true, force: true });
    }
    described = describePackage(id, version);
  }
  await writeRecord(id, version);
  return described;
}
