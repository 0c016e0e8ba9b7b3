// One collector replica (`lastgasp-collector serve`, from this checkout's sources) inside the test's
// network namespace: netconsole on a host-side TAP address, gRPC and HTTP on the namespace's loopback.
// Its pino JSON log is the source of truth for what it saw and when.
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Netns } from '@lastgasp/testbed/kernel';
import { waitFor } from '@lastgasp/testbed/cluster';
import { startNodeInNetns, nodeFromSource, type NetnsProcess } from './netns-process.js';
import { COLLECTOR_MAIN } from './paths.js';

export const NETCONSOLE_PORT = 6666;

export interface CollectorOptions {
  netns: Netns;
  /** Replica name: identity and file names. */
  identity: string;
  /** Host-side TAP address the netconsole listener binds. */
  udpHost: string;
  grpcPort: number;
  httpPort: number;
  /** Written next to the log; must reach the apiserver from inside the namespace. */
  kubeconfigText: string;
  leaseNamespace: string;
  dir: string;
  /** Merged over the scenario defaults (immediate mode, storm limit off for a one-node cluster, short Lease). */
  config?: Record<string, unknown>;
}

export interface LogEntry {
  time: number;
  msg: string;
  [key: string]: unknown;
}

export interface CollectorProcess {
  identity: string;
  udpHost: string;
  /** `127.0.0.1:<port>` inside the namespace. */
  grpcAddress: string;
  logPath: string;
  process: NetnsProcess;
  /** Parsed JSON log lines so far. */
  log(): LogEntry[];
  /** The first log entry with this message (and optional predicate), waiting up to `timeoutMs`. */
  waitForLog(msg: string, timeoutMs: number, match?: (e: LogEntry) => boolean): Promise<LogEntry>;
  /** SIGKILL: a crash, no clean Lease release. */
  kill(): Promise<void>;
  stop(): Promise<void>;
}

function parseLog(path: string): LogEntry[] {
  let text = '';
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return [];
  }
  const out: LogEntry[] = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      const value = JSON.parse(line) as Partial<LogEntry>;
      if (typeof value.time === 'number' && typeof value.msg === 'string') out.push(value as LogEntry);
    } catch {
      // A line being written right now; read whole next time.
    }
  }
  return out;
}

export async function startCollector(o: CollectorOptions): Promise<CollectorProcess> {
  const kubeconfigPath = join(o.dir, `${o.identity}.kubeconfig`);
  const configPath = join(o.dir, `${o.identity}.json`);
  const logPath = join(o.dir, `${o.identity}.log`);
  await writeFile(kubeconfigPath, o.kubeconfigText, { mode: 0o600 });
  await writeFile(
    configPath,
    JSON.stringify({
      kubeconfig: kubeconfigPath,
      udpListen: `${o.udpHost}:${NETCONSOLE_PORT}`,
      grpcListen: `127.0.0.1:${o.grpcPort}`,
      httpListen: `127.0.0.1:${o.httpPort}`,
      identity: o.identity,
      leaseNamespace: o.leaseNamespace,
      logLevel: 'info',
      // One guest Node is 100 % of the ready Nodes; the default 30 % limit would hold every incident.
      policy: { mode: 'immediate', storm: { maxNodesPerWindow: 5, windowSeconds: 600, maxPercentOfReadyNodes: 100 } },
      // A dead leader's Lease expires in 6 s instead of 15 s: failover within a test's patience.
      leaderElection: { leaseDurationSeconds: 6, renewDeadlineSeconds: 4, retryPeriodSeconds: 1 },
      ...o.config,
    }),
  );
  const proc = startNodeInNetns(o.netns, `collector ${o.identity}`, [...nodeFromSource(COLLECTOR_MAIN), 'serve', '--config', configPath], logPath);
  const log = (): LogEntry[] => parseLog(logPath);
  const waitForLog = async (msg: string, timeoutMs: number, match: (e: LogEntry) => boolean = () => true): Promise<LogEntry> => {
    const found = await waitFor<LogEntry | 'exited'>(
      `collector ${o.identity} to log "${msg}"`,
      () => {
        const hit = log().find((e) => e.msg === msg && match(e));
        if (hit !== undefined) return Promise.resolve(hit);
        return Promise.resolve(proc.exitInfo() === undefined ? false : 'exited');
      },
      { timeoutMs, intervalMs: 50, describe: () => Promise.resolve(`log tail:\n${proc.logTail(25)}`) },
    );
    if (found === 'exited') {
      throw new Error(`collector ${o.identity} exited (${JSON.stringify(proc.exitInfo())}) before logging "${msg}":\n${proc.logTail(25)}`);
    }
    return found;
  };
  const collector: CollectorProcess = {
    identity: o.identity,
    udpHost: o.udpHost,
    grpcAddress: `127.0.0.1:${o.grpcPort}`,
    logPath,
    process: proc,
    log,
    waitForLog,
    kill: async () => {
      proc.killSync();
      await proc.exited;
    },
    stop: () => proc.stop(5000),
  };
  try {
    await waitForLog('collector started', 120_000);
  } catch (err) {
    await proc.stop(1000);
    throw err;
  }
  return collector;
}
