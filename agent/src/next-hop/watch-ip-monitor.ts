// Watches `ip monitor route neigh link` and calls `onRelevantChange` when something the current
// targets depend on changes: any route, a next hop's neighbour entry changing MAC or failing, or a
// change on an egress device (enslaving a NIC to a bond or bridge silently disables its target).
// Restarts `ip monitor` with backoff if it exits; the periodic re-check covers the gap.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { Logger } from 'pino';
import type { NextHop } from '../types.js';
import { parseMonitorLine, type MonitorEvent } from './parse-monitor-line.js';

export interface IpMonitorOptions {
  ipCommand?: string;
  logger: Logger;
  /** The next hops in use right now; read at every event. */
  currentHops: () => readonly NextHop[];
  onRelevantChange: (why: string) => void;
}

export interface IpMonitor {
  stop(): void;
}

/** Pure filter: does this event affect the given next hops? Returns why, or null. */
export function relevantChange(event: MonitorEvent, hops: readonly NextHop[]): string | null {
  switch (event.kind) {
    case 'route':
      return 'route change';
    case 'link':
      return hops.some((h) => h.device === event.device) ? `link ${event.device} changed` : null;
    case 'neigh': {
      const hop = hops.find((h) => h.nextHopIp === event.address && (event.device === null || h.device === event.device));
      if (hop === undefined) return null;
      if (event.deleted || event.mac === null) return `neighbour ${event.address} unresolved`;
      return event.mac === hop.mac ? null : `neighbour ${event.address} changed MAC to ${event.mac}`;
    }
    default:
      return null;
  }
}

export function startIpMonitor(options: IpMonitorOptions): IpMonitor {
  let child: ChildProcess | null = null;
  let stopped = false;
  let restartDelayMs = 1000;
  let restartTimer: NodeJS.Timeout | null = null;

  const start = (): void => {
    const proc = spawn(options.ipCommand ?? 'ip', ['monitor', 'route', 'neigh', 'link'], { stdio: ['ignore', 'pipe', 'ignore'] });
    child = proc;
    const startedAt = Date.now();
    const lines = createInterface({ input: proc.stdout });
    lines.on('line', (line) => {
      const why = relevantChange(parseMonitorLine(line), options.currentHops());
      if (why !== null) options.onRelevantChange(why);
    });
    proc.on('error', (err) => options.logger.warn({ err }, 'ip monitor could not start; relying on periodic re-check'));
    proc.on('close', (code) => {
      if (stopped) return;
      restartDelayMs = Date.now() - startedAt > 60_000 ? 1000 : Math.min(restartDelayMs * 2, 60_000);
      options.logger.warn({ code, restartInMs: restartDelayMs }, 'ip monitor exited');
      restartTimer = setTimeout(start, restartDelayMs);
    });
  };
  start();
  return {
    stop() {
      stopped = true;
      if (restartTimer !== null) clearTimeout(restartTimer);
      child?.kill();
    },
  };
}
