// What the real-kernel test bed needs from the host, checked up front so that a missing piece is a clear
// error instead of a confusing failure half-way through a boot.
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { KernelTestBedError } from './errors.js';

/** Host programs and the Debian package that provides each. */
export const REQUIRED_PROGRAMS: ReadonlyArray<readonly [program: string, debianPackage: string]> = [
  ['qemu-system-x86_64', 'qemu-system-x86'],
  ['busybox', 'busybox-static'],
  ['cpio', 'cpio'],
  ['depmod', 'kmod'],
  ['ip', 'iproute2'],
  ['tcpdump', 'tcpdump'],
  ['apt-get', 'apt'],
  ['dpkg', 'dpkg'],
  ['xz', 'xz-utils'],
];

export function findProgram(program: string, path = process.env['PATH'] ?? ''): string | null {
  const dirs = [...path.split(delimiter), '/usr/sbin', '/sbin'];
  for (const dir of dirs) {
    if (dir === '') continue;
    const candidate = join(dir, program);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Not in this directory.
    }
  }
  return null;
}

/** Lists what is missing; empty when the host can run the test bed. */
export function missingPrerequisites(): string[] {
  const missing: string[] = [];
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    missing.push('root (network namespaces and TAP devices need it; run the tests with sudo)');
  }
  const packages = REQUIRED_PROGRAMS.filter(([program]) => findProgram(program) === null).map(([, pkg]) => pkg);
  if (packages.length > 0) {
    missing.push(`Debian packages ${packages.join(', ')} (npm run setup, or: apt-get install -y ${packages.join(' ')})`);
  }
  try {
    accessSync('/dev/net/tun', constants.R_OK | constants.W_OK);
  } catch {
    missing.push('/dev/net/tun (the tun module)');
  }
  return missing;
}

/** Throws MISSING_PREREQUISITE naming everything that is missing. */
export function assertPrerequisites(): void {
  const missing = missingPrerequisites();
  if (missing.length > 0) {
    throw new KernelTestBedError('MISSING_PREREQUISITE', `the real-kernel test bed needs: ${missing.join('; ')}`);
  }
}

/** Whether hardware virtualisation is usable (else QEMU emulates the CPU in software). */
export function kvmUsable(): boolean {
  try {
    accessSync('/dev/kvm', constants.R_OK | constants.W_OK);
    return true;
  } catch {
    return false;
  }
}
