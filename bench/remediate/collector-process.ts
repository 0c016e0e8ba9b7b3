// The collector as a real process (`lastgasp-collector serve`) against the benchmark's control plane:
// config written to a file, output to a log file, addresses and leadership read from its JSON log lines.
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { COLLECTOR_NODE_OPTIONS } from '@lastgasp/collector';
import { waitFor } from '@lastgasp/testbed/cluster';
import { sumSamples } from '../ingest/prometheus-text.js';

export interface CollectorProcess {
  pid: number;
  /** `127.0.0.1` port of the netconsole listener. */
  udpPort: number;
  /** `http://host:port` of /metrics, /livez, /readyz. */
  httpBase: string;
  /** `host:port` of the gRPC API. */
  grpcAddress: string;
  logPath: string;
  logTail(lines?: number): Promise<string>;
  /** Sum of every sample of a metric on /metrics; null when absent. */
  metric(name: string): Promise<number | null>;
  stop(): Promise<void>;
}

export interface CollectorProcessOptions {
  repoRoot: string;
  /** `dist`: the compiled collector as it ships; `source`: collector/src through tsx (more RSS). */
  from: 'dist' | 'source';
  kubeconfigPath: string;
  /** Directory for the config and log files; the caller removes it. */
  dir: string;
  /** Merged over the benchmark's defaults (listeners on 127.0.0.1 port 0, own Lease). */
  config: Record<string, unknown>;
  startTimeoutMs: number;
  /** Extra Node.js flags, e.g. `--cpu-prof`. */
  nodeArgs?: string[];
}

interface StartedLine {
  msg?: unknown;
  udp?: unknown;
  http?: unknown;
  grpc?: unknown;
}

function parseJsonLines(text: string): StartedLine[] {
  const out: StartedLine[] = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      out.push(JSON.parse(line) as StartedLine);
    } catch {
      // A line cut by a concurrent read is read whole next time.
    }
  }
  return out;
}

export async function startCollectorProcess(opts: CollectorProcessOptions): Promise<CollectorProcess> {
  const configPath = join(opts.dir, 'collector.json');
  const logPath = join(opts.dir, 'collector.log');
  await writeFile(
    configPath,
    JSON.stringify({
      kubeconfig: opts.kubeconfigPath,
      udpListen: '127.0.0.1:0',
      grpcListen: '127.0.0.1:0',
      httpListen: '127.0.0.1:0',
      identity: 'bench-collector',
      leaseNamespace: 'default',
      leaseName: 'lastgasp-bench',
      logLevel: 'info',
      ...opts.config,
    }),
  );
  const entry =
    opts.from === 'dist'
      ? [join(opts.repoRoot, 'collector', 'dist', 'main.js')]
      : ['--conditions=lastgasp-source', '--import', 'tsx', join(opts.repoRoot, 'collector', 'src', 'main.ts')];
  const child = spawn(process.execPath, [...(opts.nodeArgs ?? []), ...entry, 'serve', '--config', configPath], {
    // As in the image.
    env: { ...process.env, NODE_OPTIONS: COLLECTOR_NODE_OPTIONS },
    cwd: opts.repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const log = createWriteStream(logPath);
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  let exit: string | null = null;
  const exited = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      exit = String(code ?? signal);
      resolve();
    }),
  );
  const logText = () => readFile(logPath, 'utf8').catch(() => '');
  const logTail = async (lines = 30) => (await logText()).trimEnd().split('\n').slice(-lines).join('\n');
  // Never outlive the benchmark: on a signal the cluster's teardown runs and the signal is raised again.
  const killNow = (): void => {
    if (exit === null) child.kill('SIGKILL');
  };
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
  process.on('exit', killNow);
  for (const signal of signals) process.once(signal, killNow);
  const stop = async () => {
    process.off('exit', killNow);
    for (const signal of signals) process.off(signal, killNow);
    if (exit === null) child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(killer);
    await new Promise<void>((resolve) => log.end(resolve));
  };
  if (child.pid === undefined) throw new Error('could not spawn the collector');
  const pid = child.pid;

  try {
    const started = await waitFor(
      'the collector to log "collector started" and "became leader"',
      async () => {
        if (exit !== null) throw new Error(`collector exited (${exit})`);
        const lines = parseJsonLines(await logText());
        const line = lines.find((l) => l.msg === 'collector started');
        if (line === undefined || !lines.some((l) => l.msg === 'became leader')) return false;
        return line;
      },
      { timeoutMs: opts.startTimeoutMs, intervalMs: 200, describe: () => logTail() },
    );
    const udp = Array.isArray(started.udp) ? String(started.udp[0]) : '';
    const udpPort = Number(/:(\d+)$/.exec(udp)?.[1]);
    if (!Number.isInteger(udpPort) || udpPort <= 0 || typeof started.http !== 'string' || typeof started.grpc !== 'string') {
      throw new Error(`cannot read the listener addresses from ${JSON.stringify(started)}`);
    }
    const httpBase = `http://${started.http}`;
    const metric = async (name: string) => {
      const response = await fetch(`${httpBase}/metrics`);
      if (!response.ok) throw new Error(`GET /metrics: HTTP ${response.status}`);
      return sumSamples(await response.text(), name);
    };
    return { pid, udpPort, httpBase, grpcAddress: started.grpc, logPath, logTail, metric, stop };
  } catch (err) {
    const tail = await logTail();
    await stop();
    throw new Error(`the collector did not start; its log ends with:\n${tail}`, { cause: err });
  }
}
