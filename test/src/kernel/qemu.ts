// Boots the guest kernel with qemu-system-x86_64 inside the test's network namespace. KVM when it
// works and is asked for (env LASTGASP_QEMU_ACCEL), else software emulation (TCG).
// The serial console goes to QEMU's stdout, which is kept in memory and in a file.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { registerCleanup } from './cleanup.js';
import { KernelTestBedError } from './errors.js';
import type { Netns } from './netns.js';

export type Accelerator = 'kvm' | 'tcg';

export interface QemuOptions {
  netns: Netns;
  /** bzImage, or an uncompressed ELF kernel with a PVH entry point (boots faster under emulation). */
  vmlinuz: string;
  initramfs: string;
  /** Extra kernel command line parameters (key=value), appended after the test bed's own. */
  kernelParams: readonly string[];
  /**
   * The kernel's `panic=` value: seconds to wait before rebooting, negative = reboot at once, 0 = hang.
   * QEMU runs with -no-reboot, so any reboot ends QEMU.
   */
  panicTimeoutSeconds: number;
  memoryMiB: number;
  cpus: number;
  /** Unix socket path the host listens on; QEMU connects to it as the guest's virtio-serial port. */
  commandSocketPath: string;
  consoleLogPath: string;
  guestMac: string;
  accel: Accelerator;
  onConsoleLine?: (line: string) => void;
}

export interface QemuProcess {
  pid: number;
  accel: Accelerator;
  /** The serial console text so far. */
  console(): string;
  /** Resolves when QEMU has exited, with its exit code (null after a signal). */
  exited: Promise<number | null>;
  hasExited(): boolean;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once QEMU is gone. Idempotent. */
  kill(graceMs?: number): Promise<void>;
}

let probedAccel: Promise<Accelerator> | null = null;

/**
 * Whether the kernel really boots under KVM: opening /dev/kvm is not enough (nested KVM on some hosts
 * accepts the VM, then hangs the guest early). Boots `vmlinuz` without a root and expects its "unable to
 * mount root" panic, which under working KVM comes within a few seconds.
 */
function probeKvm(vmlinuz: string, timeoutMs: number): Promise<Accelerator> {
  return new Promise((resolve) => {
    const child = spawn(
      'qemu-system-x86_64',
      ['-accel', 'kvm', '-cpu', 'host', '-m', '256', '-nodefaults', '-no-user-config', '-display', 'none', '-no-reboot',
        '-serial', 'stdio', '-kernel', vmlinuz, '-append', 'console=ttyS0 panic=-1'],
      { stdio: ['ignore', 'pipe', 'ignore'] },
    );
    let out = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
    });
    child.on('error', () => resolve('tcg'));
    child.on('exit', () => {
      clearTimeout(timer);
      resolve(out.includes('Kernel panic') ? 'kvm' : 'tcg');
    });
  });
}

/**
 * The accelerator: env LASTGASP_QEMU_ACCEL=kvm|tcg forces one; `auto` boots a probe guest and uses KVM
 * when it works. Default `tcg`: software emulation works everywhere, the probe costs up to 20 s where
 * KVM hangs.
 */
export function chooseAccelerator(vmlinuz: string): Promise<Accelerator> {
  const wanted = process.env['LASTGASP_QEMU_ACCEL'] ?? 'tcg';
  if (wanted === 'kvm' || wanted === 'tcg') return Promise.resolve(wanted);
  if (wanted !== 'auto') {
    return Promise.reject(new KernelTestBedError('BOOT_FAILED', `LASTGASP_QEMU_ACCEL must be kvm, tcg or auto, not ${wanted}`));
  }
  probedAccel ??= probeKvm(vmlinuz, 20_000);
  return probedAccel;
}

/** A locally administered unicast MAC in QEMU's 52:54:00 range. */
export function randomGuestMac(): string {
  const bytes = [...randomBytes(3)].map((b) => b.toString(16).padStart(2, '0'));
  return `52:54:00:${bytes.join(':')}`;
}

export function qemuArgs(o: QemuOptions): string[] {
  const append = [
    'console=ttyS0,115200',
    `panic=${o.panicTimeoutSeconds}`,
    'printk.time=1',
    'net.ifnames=0',
    'rdinit=/init',
    ...o.kernelParams,
  ].join(' ');
  return [
    '-name', `lastgasp-guest-${o.netns.name}`,
    '-accel', o.accel,
    '-cpu', o.accel === 'kvm' ? 'host' : 'max',
    '-machine', 'q35',
    '-m', String(o.memoryMiB),
    '-smp', String(o.cpus),
    '-nodefaults', '-no-user-config', '-display', 'none', '-no-reboot',
    '-kernel', o.vmlinuz,
    '-initrd', o.initramfs,
    '-append', append,
    '-chardev', 'stdio,id=con,signal=off',
    '-serial', 'chardev:con',
    '-netdev', `tap,id=net0,ifname=${o.netns.tapName},script=no,downscript=no`,
    '-device', `virtio-net-pci,netdev=net0,mac=${o.guestMac}`,
    '-fsdev', 'local,id=hostroot,path=/,security_model=none,readonly=on,multidevs=remap',
    '-device', 'virtio-9p-pci,fsdev=hostroot,mount_tag=hostroot',
    '-chardev', `socket,id=cmd,path=${o.commandSocketPath},server=off`,
    '-device', 'virtio-serial-pci',
    '-device', 'virtserialport,chardev=cmd,name=lastgasp.cmd',
  ];
}

export function startQemu(o: QemuOptions): QemuProcess {
  const child: ChildProcess = o.netns.spawn('qemu-system-x86_64', qemuArgs(o), { stdio: ['ignore', 'pipe', 'pipe'] });
  const pid = child.pid;
  if (pid === undefined) throw new KernelTestBedError('BOOT_FAILED', 'qemu-system-x86_64 could not be started');
  // `ip netns exec` execs QEMU in place, so this pid is QEMU's own.
  const unregister = registerCleanup(() => {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  });
  const file = createWriteStream(o.consoleLogPath);
  let text = '';
  let partial = '';
  const onData = (chunk: Buffer): void => {
    const s = chunk.toString('utf8');
    text += s;
    file.write(chunk);
    partial += s;
    const lines = partial.split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) o.onConsoleLine?.(line.replace(/\r$/, ''));
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', (chunk: Buffer) => onData(Buffer.from(`[qemu] ${chunk.toString('utf8')}`)));
  let done = false;
  const exited = new Promise<number | null>((resolve) => {
    child.on('exit', (code) => {
      done = true;
      unregister();
      file.end();
      resolve(code);
    });
  });
  const kill = async (graceMs = 3000): Promise<void> => {
    if (done) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  };
  return { pid, accel: o.accel, console: () => text, exited, hasExited: () => done, kill };
}
