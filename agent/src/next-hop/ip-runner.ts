// The edge between next-hop resolution and the host: runs `ip`, and provokes neighbour resolution
// the way netconsole-setup does (any packet to the address makes the kernel ARP / NDP for it).
import { execFile } from 'node:child_process';
import { createSocket } from 'node:dgram';
import type { NextHopResult } from '../types.js';
import { neighborFromJson, nextHopFrom, routeFromJson } from './resolve-next-hop.js';

export interface CommandResult {
  stdout: string;
  stderr: string;
  /** Exit code; null when the command could not be started or was killed. */
  code: number | null;
}

export interface IpRunner {
  ip(args: string[]): Promise<CommandResult>;
  /** Sends one datagram to the address's discard port (9) so the kernel resolves its MAC. */
  provoke(address: string): Promise<void>;
}

export function runCommand(file: string, args: string[], timeoutMs = 5000): Promise<CommandResult> {
  return new Promise((resolve) => {
    execFile(file, args, { timeout: timeoutMs, encoding: 'utf8' }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : null;
      resolve({ stdout, stderr: err !== null && stderr === '' ? err.message : stderr, code });
    });
  });
}

export function createIpRunner(ipCommand = 'ip'): IpRunner {
  return {
    ip: (args) => runCommand(ipCommand, args),
    provoke: (address) =>
      new Promise((resolve) => {
        const socket = createSocket(address.includes(':') ? 'udp6' : 'udp4');
        // Failures (unreachable, no route) are expected here; the neighbour read that follows reports them.
        socket.on('error', () => socket.close());
        socket.send(Buffer.from('lastgasp neighbour probe\n'), 9, address, () => {
          socket.close();
          resolve();
        });
      }),
  };
}

export interface ResolveOptions {
  /** How long to wait for the kernel to resolve a provoked neighbour, ms. */
  neighborWaitMs: number;
  pollMs: number;
  sleep: (ms: number) => Promise<void>;
}

export const defaultResolveOptions: ResolveOptions = {
  neighborWaitMs: 3000,
  pollMs: 100,
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/** Route lookup, neighbour lookup, and when the neighbour is missing/failed: provoke and re-read. */
export async function resolveNextHopLive(address: string, runner: IpRunner, options = defaultResolveOptions): Promise<NextHopResult> {
  const routeOut = await runner.ip(['-json', 'route', 'get', address]);
  const routed = routeFromJson(address, routeOut.code === 0 ? routeOut.stdout : '', routeOut.stderr);
  if (!routed.ok) return routed;
  const { route } = routed;
  if (route.via === 'local') return nextHopFrom(address, route, null);
  const readNeighbor = async () =>
    neighborFromJson((await runner.ip(['-json', 'neigh', 'show', route.nextHopIp, 'dev', route.device])).stdout);
  let neighbor = await readNeighbor();
  if (neighbor.usable) return nextHopFrom(address, route, neighbor);
  await runner.provoke(route.nextHopIp);
  for (let waited = 0; waited < options.neighborWaitMs && !neighbor.usable; waited += options.pollMs) {
    await options.sleep(options.pollMs);
    neighbor = await readNeighbor();
  }
  return nextHopFrom(address, route, neighbor);
}
