// bootGuest: Debian's kernel under QEMU in a network namespace of its own, with the host's root mounted
// read-only in the guest and a command channel to run processes there. See index.ts for the contract.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { setTimeout as delay } from 'node:timers/promises';
import { join } from 'node:path';
import { registerCleanup, runQuietlySync } from './cleanup.js';
import { KernelTestBedError } from './errors.js';
import { GuestChannel, type GuestCommandResult, type GuestProcess, type GuestSpawnOptions } from './guest-channel.js';
import { ensureInitramfs } from './initramfs.js';
import { ensureKernelPackage, ensureUncompressedKernel, type KernelPackage } from './kernel-package.js';
import type { KernelId } from './kernel-matrix.js';
import { createNetns, type Netns } from './netns.js';
import { guestSourcesDir } from './paths.js';
import { assertPrerequisites } from './prerequisites.js';
import { chooseAccelerator, randomGuestMac, startQemu, type Accelerator, type QemuProcess } from './qemu.js';

export interface BootGuestOptions {
  /** Which kernel line to boot (kernel-matrix.ts); default env LASTGASP_KERNEL, else 6.1. */
  kernel?: KernelId;
  /** Host-side addresses with prefix length on the TAP inside the namespace (IPv4 and/or IPv6). */
  hostAddresses: readonly string[];
  /** The guest's IPv4 address with prefix length on eth0, e.g. `10.77.0.2/24`. */
  guestAddress: string;
  /** Optional IPv6 address with prefix length on eth0. */
  guestAddress6?: string;
  /** Optional IPv4 default gateway of the guest (a host-side address). */
  gateway?: string;
  memoryMiB?: number;
  cpus?: number;
  /** The kernel's `panic=` (default -1: reboot at once, which ends QEMU; 0 = hang; N = wait N s first). */
  panicTimeoutSeconds?: number;
  /** More kernel command line parameters. */
  kernelParams?: readonly string[];
  /** Progress and serial console lines (prefixed `[console]`). */
  log?: (line: string) => void;
  /** Default 120 s with KVM, 300 s under emulation. */
  bootTimeoutMs?: number;
}

export interface PanicResult {
  /** QEMU's exit code, or null when the harness ended it (panic timeout 0). */
  exitCode: number | null;
  /** ms from sending the trigger until QEMU was gone. */
  elapsedMs: number;
}

export interface Guest {
  /** Name of the network namespace: run host-side peers in it (`ip netns exec <netns> ...`). */
  netns: string;
  network: Netns;
  /** The guest's IPv4 address without prefix length. */
  address: string;
  /** The guest's IPv6 address without prefix length, when one was asked for. */
  address6: string | null;
  mac: string;
  kernel: KernelPackage;
  accel: Accelerator;
  /** Wall ms from starting QEMU to the guest command server being ready. */
  bootMs: number;
  /** Guest uptime (ms) when its command server was ready: the kernel's own boot-to-shell time. */
  guestUptimeAtReadyMs: number;
  /** `modprobe` invocation that loads a module of the guest kernel from the cached package, inside the guest. */
  modprobeCommand(module: string): string;
  run(cmd: string, options?: GuestSpawnOptions & { timeoutMs?: number }): Promise<GuestCommandResult>;
  spawn(cmd: string, options?: GuestSpawnOptions): GuestProcess;
  /** Writes `key` to /proc/sysrq-trigger without waiting for the writer. */
  sysrq(key: string): void;
  /**
   * sysrq-c; resolves when QEMU has exited (or, with panic timeout 0, once the panic trailer is on the
   * console). `hangs`: kernel.panic was set to 0 at run time (the boot's panic= no longer applies).
   */
  panic(options?: { timeoutMs?: number; hangs?: boolean }): Promise<PanicResult>;
  /** Resolves when QEMU exits by itself (after a reboot or a power-off). */
  waitForExit(timeoutMs: number): Promise<number | null>;
  /** Resolves with the matching console text once `pattern` appears on the serial console. */
  waitForConsole(pattern: RegExp, timeoutMs: number): Promise<string>;
  console(): string;
  /** Stops QEMU and removes the namespace, TAP and temp files. Idempotent. */
  stop(): Promise<void>;
}

const withoutPrefix = (address: string): string => address.replace(/\/\d+$/, '');

function waitUntil<T>(description: string, probe: () => T | null, timeoutMs: number, qemu: QemuProcess): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const tick = (): void => {
      const value = probe();
      if (value !== null) {
        resolve(value);
        return;
      }
      if (Date.now() > deadline) {
        const tail = qemu.console().split('\n').slice(-15).join('\n');
        reject(new KernelTestBedError('TIMEOUT', `${description} within ${timeoutMs} ms; console tail:\n${tail}`));
        return;
      }
      setTimeout(tick, 50);
    };
    tick();
  });
}

async function startGuestProcesses(
  options: BootGuestOptions,
  network: Netns,
  dir: string,
  log: (line: string) => void,
): Promise<{ kernel: KernelPackage; qemu: QemuProcess; channel: GuestChannel; mac: string; accel: Accelerator }> {
  const kernel = await ensureKernelPackage({ kernel: options.kernel, log });
  const initramfs = await ensureInitramfs(kernel, log);
  const bootImage = (await ensureUncompressedKernel(kernel)) ?? kernel.vmlinuz;
  const accel = await chooseAccelerator(kernel.vmlinuz);
  const channel = await GuestChannel.listen(join(dir, 'cmd.sock'));
  const mac = randomGuestMac();
  const params = [`lastgasp.ip=${options.guestAddress}`];
  if (options.guestAddress6 !== undefined) params.push(`lastgasp.ip6=${options.guestAddress6}`);
  if (options.gateway !== undefined) params.push(`lastgasp.gw=${options.gateway}`);
  params.push(`lastgasp.node=${process.execPath}`, `lastgasp.server=${join(guestSourcesDir(), 'guest-server.mjs')}`);
  const qemu = startQemu({
    netns: network,
    vmlinuz: bootImage,
    initramfs,
    kernelParams: [...params, ...(options.kernelParams ?? [])],
    panicTimeoutSeconds: options.panicTimeoutSeconds ?? -1,
    memoryMiB: options.memoryMiB ?? 512,
    cpus: options.cpus ?? 1,
    commandSocketPath: join(dir, 'cmd.sock'),
    consoleLogPath: join(dir, 'console.log'),
    guestMac: mac,
    accel,
    onConsoleLine: (line) => log(`[console] ${line}`),
  });
  return { kernel, qemu, channel, mac, accel };
}

/** Boots a guest; on any failure everything started so far is removed before the error is thrown. */
export async function bootGuest(options: BootGuestOptions): Promise<Guest> {
  assertPrerequisites();
  const log = options.log ?? (() => undefined);
  const dir = await mkdtemp(join(tmpdir(), 'lastgasp-guest-'));
  const unregisterDir = registerCleanup(() => runQuietlySync('rm', ['-rf', dir]));
  let network: Netns | null = null;
  let started: Awaited<ReturnType<typeof startGuestProcesses>> | null = null;
  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    await started?.qemu.kill();
    await started?.channel.close();
    await network?.remove();
    await rm(dir, { recursive: true, force: true });
    unregisterDir();
  };
  try {
    network = await createNetns({ hostAddresses: options.hostAddresses });
    const t0 = Date.now();
    started = await startGuestProcesses(options, network, dir, log);
    const { qemu, channel } = started;
    const timeoutMs = options.bootTimeoutMs ?? (started.accel === 'kvm' ? 120_000 : 300_000);
    const qemuStart = Date.now();
    const ready = await channel.waitReady(timeoutMs).catch(async (err: unknown) => {
      // Give QEMU a moment to finish writing the console and exit, so the tail shows why.
      await Promise.race([qemu.exited, delay(2000)]);
      const tail = qemu.console().split('\n').slice(-40).join('\n');
      const reason = err instanceof Error ? err.message : String(err);
      const state = qemu.hasExited() ? 'QEMU exited' : 'QEMU still running';
      throw new KernelTestBedError('BOOT_FAILED', `${reason} (${state}); console tail:\n${tail}`, { cause: err });
    });
    log(`guest ready: ${Date.now() - qemuStart} ms after starting QEMU (${started.accel}), ${Date.now() - t0} ms with preparation`);
    return makeGuest({ options, network, started, bootMs: Date.now() - qemuStart, uptimeMs: ready.uptimeMs, stop });
  } catch (err) {
    await stop();
    throw err;
  }
}

function makeGuest(p: {
  options: BootGuestOptions;
  network: Netns;
  started: Awaited<ReturnType<typeof startGuestProcesses>>;
  bootMs: number;
  uptimeMs: number;
  stop: () => Promise<void>;
}): Guest {
  const { qemu, channel, kernel } = p.started;
  const panicTimeout = p.options.panicTimeoutSeconds ?? -1;
  const waitForExit = async (timeoutMs: number): Promise<number | null> => {
    await waitUntil('QEMU did not exit', () => (qemu.hasExited() ? true : null), timeoutMs, qemu);
    return qemu.exited;
  };
  const waitForConsole = (pattern: RegExp, timeoutMs: number): Promise<string> =>
    waitUntil(`${String(pattern)} did not appear on the console`, () => pattern.exec(qemu.console())?.[0] ?? null, timeoutMs, qemu);
  const sysrq = (key: string): void => {
    channel.spawn(`echo ${key} > /proc/sysrq-trigger`);
  };
  return {
    netns: p.network.name,
    network: p.network,
    address: withoutPrefix(p.options.guestAddress),
    address6: p.options.guestAddress6 === undefined ? null : withoutPrefix(p.options.guestAddress6),
    mac: p.started.mac,
    kernel,
    accel: p.started.accel,
    bootMs: p.bootMs,
    guestUptimeAtReadyMs: p.uptimeMs,
    modprobeCommand: (module) => `modprobe -d ${kernel.root} ${module}`,
    run: (cmd, options) => channel.run(cmd, options),
    spawn: (cmd, options) => channel.spawn(cmd, options),
    sysrq,
    panic: async (options = {}) => {
      const timeoutMs = options.timeoutMs ?? 60_000;
      const t0 = Date.now();
      sysrq('c');
      if (panicTimeout !== 0 && options.hangs !== true) {
        const exitCode = await waitForExit(timeoutMs);
        return { exitCode, elapsedMs: Date.now() - t0 };
      }
      await waitForConsole(/---\[ end Kernel panic/, timeoutMs);
      await qemu.kill();
      return { exitCode: null, elapsedMs: Date.now() - t0 };
    },
    waitForExit,
    waitForConsole,
    console: () => qemu.console(),
    stop: p.stop,
  };
}
