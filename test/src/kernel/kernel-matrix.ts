// The kernels the real-kernel bed boots: one line per kernel series users run, each a Debian package
// series in a suite of Debian's archive. Pure: which packages make a kernel, how a version is picked
// from the archive's package names. kernel-package.ts does the apt I/O.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { guestSourcesDir } from './paths.js';

export type KernelId = '6.1' | '6.12' | '7.3';

export interface KernelLine {
  id: KernelId;
  /** The Debian suite that serves it (the bed's own apt configuration lists every one of these). */
  suite: string;
  /** What it brings that the older lines lack (for logs and figures). */
  about: string;
  /** Matches a package name of this series; group 1 is the ABI version, e.g. `6.12.117+deb13`. */
  pattern: RegExp;
  /** Prefix to list candidate package names with (`apt-cache pkgnames <prefix>`). */
  namePrefix: string;
  /** The packages to download and unpack for one version. */
  packages(version: string): string[];
  /** The key in test/kernel/versions.env naming the preferred version. */
  pinKey: string;
}

export const KERNEL_LINES: readonly KernelLine[] = [
  {
    id: '6.1',
    suite: 'bookworm',
    about: 'Debian 12: dynamic netconsole, extended; no release, no userdata',
    pattern: /^linux-image-(6\.1\.0-\d+)-amd64$/,
    namePrefix: 'linux-image-6.1.0-',
    packages: (v) => [`linux-image-${v}-amd64`],
    pinKey: 'KERNEL_VERSION',
  },
  {
    id: '6.12',
    suite: 'trixie',
    about: 'Debian 13: release, userdata',
    pattern: /^linux-image-(6\.12\.\d+\+deb13)-amd64$/,
    namePrefix: 'linux-image-6.12.',
    packages: (v) => [`linux-image-${v}-amd64`],
    pinKey: 'KERNEL_6_12_VERSION',
  },
  {
    id: '7.3',
    suite: 'trixie-backports',
    // linux-base carries modules.builtin and the config (virtio_pci and virtio_console are built in).
    about: 'Debian 13 backports: sysdata (cpu_nr, taskname, release, msgid), nbcon console',
    pattern: /^linux-binary-(7\.3\.\d+\+deb13)-amd64$/,
    namePrefix: 'linux-binary-7.3.',
    packages: (v) => [`linux-binary-${v}-amd64`, `linux-modules-${v}-amd64`, `linux-base-${v}-amd64`],
    pinKey: 'KERNEL_7_3_VERSION',
  },
];

export const DEFAULT_KERNEL: KernelId = '6.1';

export function isKernelId(value: string): value is KernelId {
  return KERNEL_LINES.some((l) => l.id === value);
}

export function kernelLine(id: KernelId): KernelLine {
  const line = KERNEL_LINES.find((l) => l.id === id);
  if (line === undefined) throw new Error(`unknown kernel ${id}`);
  return line;
}

/** The kernel a test boots when it names none: env LASTGASP_KERNEL (6.1, 6.12, 7.3), else 6.1. */
export function defaultKernelId(env: NodeJS.ProcessEnv = process.env): KernelId {
  const wanted = env['LASTGASP_KERNEL'];
  if (wanted === undefined || wanted === '') return DEFAULT_KERNEL;
  if (!isKernelId(wanted)) throw new Error(`LASTGASP_KERNEL must be one of ${KERNEL_LINES.map((l) => l.id).join(', ')}, not ${wanted}`);
  return wanted;
}

/** `uname -r` of a Debian amd64 kernel of ABI version `version`. */
export function releaseOf(version: string): string {
  return `${version}-amd64`;
}

/** Preferred versions from test/kernel/versions.env (env LASTGASP_KERNEL_VERSION still overrides 6.1's). */
export function pinnedVersion(line: KernelLine, env: NodeJS.ProcessEnv = process.env): string | null {
  if (line.id === '6.1') {
    const override = env['LASTGASP_KERNEL_VERSION'];
    if (override !== undefined && override !== '') return override;
  }
  const text = readFileSync(join(guestSourcesDir(), 'versions.env'), 'utf8');
  const match = new RegExp(`^${line.pinKey}=(\\S+)$`, 'm').exec(text);
  return match?.[1] ?? null;
}

/** Compares Debian-style ABI versions by their numeric runs (6.12.9 < 6.12.117; 6.1.0-9 < 6.1.0-56). */
export function compareVersions(a: string, b: string): number {
  const na = a.match(/\d+/g)?.map(Number) ?? [];
  const nb = b.match(/\d+/g)?.map(Number) ?? [];
  for (let i = 0; i < Math.max(na.length, nb.length); i += 1) {
    const d = (na[i] ?? -1) - (nb[i] ?? -1);
    if (d !== 0) return d;
  }
  return 0;
}

/**
 * The version to use from the archive's package names: the pinned one while the archive has it,
 * else the newest of the series (Debian drops old ABI versions). Null when the series is gone.
 */
export function pickVersion(line: KernelLine, packageNames: readonly string[], pinned: string | null): string | null {
  const versions = packageNames.map((n) => line.pattern.exec(n.trim())?.[1]).filter((v): v is string => v !== undefined);
  if (pinned !== null && versions.includes(pinned)) return pinned;
  return versions.sort(compareVersions).at(-1) ?? null;
}
