// The collector as a real process (`lastgasp-collector serve`) for tests and benchmarks: config written
// to a file or given as flags, output to a log file whose pino JSON lines are the source of truth for
// what it did, the listener addresses read from its "collector started" line.
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { logTail, type ManagedProcess } from '../cluster/processes.js';
import { waitFor } from '../testing/wait-for.js';
import { LogFile } from './log-file.js';
import type { LogEntry } from './log-lines.js';
import { sumSamples } from './prometheus-text.js';
import { scrapeMetrics } from './scrape-metrics.js';
import { spawnNode, type LaunchNode, type NodeProcess } from './spawn-node.js';

/** The repository root (this file is test/src/collector/…, or test/dist/collector/… when built). */
const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url)).replace(/\/$/, '');
/** tsx's loader as a file URL, so `--import <it>` works whatever the working directory. */
const TSX_LOADER = import.meta.resolve('tsx');

/**
 * `source`: collector/src/main.ts through tsx; `dist`: the compiled collector/dist/main.js as it ships;
 * `image`: the launcher runs the collector image's own entry point (its arguments are serve's alone);
 * `{ script }`: any Node.js script that acts as `lastgasp-collector` (a stand-in in unit tests).
 */
export type CollectorEntry = 'source' | 'dist' | 'image' | { script: string };

export interface CollectorProcessOptions {
  /** Names the process in messages and its files in `dir`: `<name>.json`, `<name>.log`. */
  name: string;
  /** Directory for the config and log files; the caller creates and removes it. */
  dir: string;
  entry: CollectorEntry;
  /**
   * The config file, passed as `--config`: `config` merged over `configDefaults` (top-level keys).
   * With neither, no file is written and `args` alone configure the collector.
   */
  configDefaults?: Record<string, unknown>;
  config?: Record<string, unknown>;
  /** More arguments for `serve`, after `--config` when there is a config file. */
  args?: string[];
  /** Node.js flags before the entry, e.g. `--cpu-prof`. */
  nodeArgs?: string[];
  /** Variables set over this process's environment, e.g. `NODE_OPTIONS`. */
  env?: Record<string, string>;
  /** Starts the process; default `spawnNode`, a plain child of this process. */
  launch?: LaunchNode;
  /** How long `stop()` waits after SIGTERM before SIGKILL. Default 5000 ms. */
  stopGraceMs?: number;
}

export interface StartCollectorOptions extends CollectorProcessOptions {
  /** How long to wait for "collector started". */
  startTimeoutMs: number;
}

/** A collector process as launched: not known to be listening yet. */
export interface SpawnedCollector extends Pick<ManagedProcess, 'name' | 'pid' | 'logPath' | 'exited' | 'exitInfo'> {
  /** Its JSON log entries so far, in order. */
  log(): readonly LogEntry[];
  /** The whole log file as text, non-JSON output included. */
  logText(): string;
  /** The log file's last lines, for error messages. */
  logTail(lines?: number): string;
  /**
   * The first log entry with message `msg` for which `match` holds, waiting up to `timeoutMs`. Rejects
   * at once, with the log's tail, when the process exits before logging it.
   */
  waitForLog(msg: string, timeoutMs: number, match?: (entry: LogEntry) => boolean): Promise<LogEntry>;
  /** SIGTERM, SIGKILL after the grace period; resolves when the process is gone. */
  stop(): Promise<void>;
  /** SIGKILL: a crash, no clean shutdown (no Lease release); resolves when the process is gone. */
  kill(): Promise<void>;
}

/** The bound addresses as the "collector started" line gives them (`host:port`). */
export interface CollectorListeners {
  udp: string[];
  grpc: string;
  http: string;
}

/** A collector that has logged "collector started". */
export interface CollectorProcess extends SpawnedCollector {
  readonly listeners: CollectorListeners;
  /** Port of the first netconsole (UDP) listener. */
  readonly udpPort: number;
  /** Sum of every sample of a metric on /metrics; null when absent. */
  metric(name: string): Promise<number | null>;
}

const TAIL_LINES = 25;
const DEFAULT_STOP_GRACE_MS = 5000;

function entryArgs(entry: CollectorEntry): string[] {
  if (entry === 'source') return ['--conditions=lastgasp-source', '--import', TSX_LOADER, join(REPO_ROOT, 'collector', 'src', 'main.ts')];
  if (entry === 'dist') return [join(REPO_ROOT, 'collector', 'dist', 'main.js')];
  if (entry === 'image') return [];
  return [entry.script];
}

function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

async function serveArgs(o: CollectorProcessOptions): Promise<string[]> {
  if (o.config === undefined && o.configDefaults === undefined) return ['serve', ...(o.args ?? [])];
  const configPath = join(o.dir, `${o.name}.json`);
  await writeFile(configPath, JSON.stringify({ ...o.configDefaults, ...o.config }));
  return ['serve', '--config', configPath, ...(o.args ?? [])];
}

/** Writes the config file and launches the collector; does not wait for anything. */
export async function spawnCollector(o: CollectorProcessOptions): Promise<SpawnedCollector> {
  const logPath = join(o.dir, `${o.name}.log`);
  const args = [...(o.nodeArgs ?? []), ...entryArgs(o.entry), ...(await serveArgs(o))];
  const launch = o.launch ?? spawnNode;
  const proc: NodeProcess = launch({ name: `collector ${o.name}`, args, logPath, env: { ...process.env, ...o.env }, cwd: REPO_ROOT });
  const file = new LogFile(logPath);
  const tail = (lines = TAIL_LINES): string => logTail(logPath, lines);
  const waitForLog = async (msg: string, timeoutMs: number, match: (entry: LogEntry) => boolean = () => true): Promise<LogEntry> => {
    const found = await waitFor<LogEntry | 'exited'>(
      `collector ${o.name} to log "${msg}"`,
      () => {
        const hit = file.entries().find((e) => e.msg === msg && match(e));
        if (hit !== undefined) return Promise.resolve(hit);
        return Promise.resolve(proc.exitInfo() === undefined ? false : 'exited');
      },
      { timeoutMs, intervalMs: 50, describe: () => Promise.resolve(`log tail:\n${tail()}`) },
    );
    if (found === 'exited') {
      throw new Error(`collector ${o.name} exited (${JSON.stringify(proc.exitInfo())}) before logging "${msg}":\n${tail()}`);
    }
    return found;
  };
  return {
    name: o.name,
    pid: proc.pid,
    logPath,
    exited: proc.exited,
    exitInfo: () => proc.exitInfo(),
    log: () => file.entries(),
    logText: () => readText(logPath),
    logTail: tail,
    waitForLog,
    stop: () => proc.stop(o.stopGraceMs ?? DEFAULT_STOP_GRACE_MS),
    kill: async () => {
      proc.killSync();
      await proc.exited;
    },
  };
}

function listenersOf(started: LogEntry): CollectorListeners {
  const { udp, grpc, http } = started;
  const udpAddresses: unknown[] = Array.isArray(udp) ? udp : [];
  const addresses = udpAddresses.filter((a): a is string => typeof a === 'string');
  if (addresses.length === 0 || addresses.length !== udpAddresses.length || typeof grpc !== 'string' || typeof http !== 'string') {
    throw new Error(`cannot read the listener addresses from ${JSON.stringify(started)}`);
  }
  return { udp: addresses, grpc, http };
}

function portOf(address: string | undefined): number {
  const port = Number(/:(\d+)$/.exec(address ?? '')?.[1]);
  if (!Number.isInteger(port) || port <= 0) throw new Error(`no port in the listener address ${JSON.stringify(address)}`);
  return port;
}

/**
 * Launches the collector and waits up to `startTimeoutMs` for its "collector started" line. On failure
 * the process is killed and the error carries its log's tail.
 */
export async function startCollector(o: StartCollectorOptions): Promise<CollectorProcess> {
  const spawned = await spawnCollector(o);
  try {
    const listeners = listenersOf(await spawned.waitForLog('collector started', o.startTimeoutMs));
    const httpBase = `http://${listeners.http}`;
    const metric = async (name: string): Promise<number | null> => sumSamples(await scrapeMetrics(httpBase), name);
    return { ...spawned, listeners, udpPort: portOf(listeners.udp[0]), metric };
  } catch (err) {
    await spawned.kill();
    throw err;
  }
}
