// A network namespace of the test's own with one TAP device for the guest. Host-side addresses live on
// the TAP inside the namespace; processes that talk to the guest (listeners, collectors, tcpdump) are
// started inside it with `ip netns exec`. Nothing is routed out of the namespace.
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { registerCleanup, runQuietlySync } from './cleanup.js';
import { mustRunHost, runHost, type HostCommandResult } from './host-command.js';

export interface NetnsOptions {
  /** Host-side addresses with prefix length on the TAP, IPv4 and/or IPv6, e.g. `10.77.0.1/24`, `fd77::1/64`. */
  hostAddresses: readonly string[];
  /** TAP device name inside the namespace. */
  tapName?: string;
}

export interface Netns {
  name: string;
  tapName: string;
  hostAddresses: readonly string[];
  /** Spawns `file args` inside the namespace. */
  spawn(file: string, args: readonly string[], options?: SpawnOptions): ChildProcess;
  /** Runs `file args` inside the namespace to completion. */
  run(file: string, args: readonly string[]): Promise<HostCommandResult>;
  /** Removes the namespace and with it the TAP device; idempotent. */
  remove(): Promise<void>;
}

/** A namespace name unique on this machine: `lg-<pid>-<random>` (fits IFNAMSIZ-free netns names). */
export function uniqueNetnsName(): string {
  return `lg-${process.pid}-${randomBytes(3).toString('hex')}`;
}

export async function createNetns(options: NetnsOptions): Promise<Netns> {
  const name = uniqueNetnsName();
  const tapName = options.tapName ?? 'tap0';
  await mustRunHost('ip', ['netns', 'add', name]);
  const unregister = registerCleanup(() => runQuietlySync('ip', ['netns', 'del', name]));
  let removed = false;
  const remove = async (): Promise<void> => {
    if (removed) return;
    removed = true;
    await runHost('ip', ['netns', 'del', name]);
    unregister();
  };
  try {
    await mustRunHost('ip', ['-n', name, 'link', 'set', 'lo', 'up']);
    await mustRunHost('ip', ['-n', name, 'tuntap', 'add', 'dev', tapName, 'mode', 'tap']);
    for (const address of options.hostAddresses) {
      const extra = address.includes(':') ? ['nodad'] : [];
      await mustRunHost('ip', ['-n', name, 'addr', 'add', address, 'dev', tapName, ...extra]);
    }
    await mustRunHost('ip', ['-n', name, 'link', 'set', tapName, 'up']);
  } catch (err) {
    await remove();
    throw err;
  }
  return {
    name,
    tapName,
    hostAddresses: options.hostAddresses,
    spawn: (file, args, spawnOptions = {}) => spawn('ip', ['netns', 'exec', name, file, ...args], spawnOptions),
    run: (file, args) => runHost('ip', ['netns', 'exec', name, file, ...args]),
    remove,
  };
}
