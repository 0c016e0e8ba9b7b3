// The real collector process (`lastgasp-collector serve --standalone`) as a Receiver. Counts come from
// its /metrics endpoint; the process's output goes to a log file whose tail is shown when it fails.
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { COLLECTOR_NODE_OPTIONS } from '@lastgasp/collector';
import { track, untrack } from './child-registry.js';
import { freeTcpPort, freeUdpPort } from './free-port.js';
import { pollUntil } from './poll-until.js';
import { sumSamples } from './prometheus-text.js';
import type { Receiver, ReceiverCounts } from './receiver.js';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface CollectorMetricNames {
  /** Counter of datagrams taken off the UDP socket. */
  received: string;
  /** Counter of datagrams the parse stage has handled (any outcome). */
  parsed: string;
}

export interface CollectorOptions {
  host: string;
  /** `source`: run collector/src/main.ts through tsx; `dist`: run the compiled collector/dist/main.js. */
  from: 'source' | 'dist';
  metrics: CollectorMetricNames;
  extraArgs: string[];
  startTimeoutMs: number;
}

export interface CollectorReceiver extends Receiver {
  /** The log file's last lines, for error messages. */
  logTail(lines?: number): Promise<string>;
  /** Sum of a metric's samples on /metrics; null when absent. */
  metric(name: string): Promise<number | null>;
  /**
   * False when the collector exposes no parsed counter: `parsed` then repeats `received`, and loss
   * between the socket and the parser goes unseen.
   */
  readonly countsParsed: boolean;
}

function commandLine(from: CollectorOptions['from']): string[] {
  return from === 'dist'
    ? [join(repoRoot, 'collector', 'dist', 'main.js')]
    : ['--import', 'tsx', '--conditions=lastgasp-source', join(repoRoot, 'collector', 'src', 'main.ts')];
}

export async function startCollector(opts: CollectorOptions): Promise<CollectorReceiver> {
  const udpPort = await freeUdpPort(opts.host);
  const httpPort = await freeTcpPort(opts.host);
  const grpcPort = await freeTcpPort(opts.host);
  const dir = await mkdtemp(join(tmpdir(), 'lastgasp-bench-'));
  const logPath = join(dir, 'collector.log');
  const log = createWriteStream(logPath);
  const args = [
    ...commandLine(opts.from),
    'serve', '--standalone',
    '--udp-listen', `${opts.host}:${udpPort}`,
    '--http-listen', `${opts.host}:${httpPort}`,
    '--grpc-listen', `${opts.host}:${grpcPort}`,
    ...opts.extraArgs,
  ];
  // NODE_OPTIONS as in the image.
  const child = spawn(process.execPath, args, { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NODE_OPTIONS: COLLECTOR_NODE_OPTIONS } });
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  const pid = child.pid;
  if (pid !== undefined) track(pid);
  let exitCode: number | string | null = null;
  const exited = new Promise<void>((done) =>
    child.once('exit', (code, signal) => {
      exitCode = code ?? signal ?? 'unknown';
      if (pid !== undefined) untrack(pid);
      done();
    }),
  );
  const logTail = async (lines = 20) => {
    const text = await readFile(logPath, 'utf8').catch(() => '');
    return text.trimEnd().split('\n').slice(-lines).join('\n');
  };
  const stop = async () => {
    if (exitCode === null) child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(killer);
    log.end();
    await rm(dir, { recursive: true, force: true });
  };
  if (pid === undefined) throw new Error('could not start the collector');

  const base = `http://${opts.host.includes(':') ? `[${opts.host}]` : opts.host}:${httpPort}`;
  const scrape = async (): Promise<string> => {
    const response = await fetch(`${base}/metrics`);
    if (!response.ok) throw new Error(`GET /metrics: HTTP ${response.status}`);
    return response.text();
  };
  let countsParsed = true;
  const counts = async (): Promise<ReceiverCounts> => {
    const text = await scrape();
    const received = sumSamples(text, opts.metrics.received);
    if (received === null) throw new Error(`/metrics lacks ${opts.metrics.received}`);
    const parsed = countsParsed ? sumSamples(text, opts.metrics.parsed) : null;
    return { received, parsed: parsed ?? received };
  };
  try {
    const first = await pollUntil(
      'the collector to answer /readyz and /metrics',
      async () => {
        if (exitCode !== null) throw new Error(`collector exited (${String(exitCode)})`);
        const ready = await fetch(`${base}/readyz`);
        if (!ready.ok) return undefined;
        await counts();
        return scrape();
      },
      { timeoutMs: opts.startTimeoutMs, intervalMs: 250 },
    );
    countsParsed = sumSamples(first, opts.metrics.parsed) !== null;
  } catch (err) {
    const tail = await logTail();
    await stop();
    throw new Error(`collector did not start; its log ends with:\n${tail}`, { cause: err });
  }
  const metric = async (name: string) => sumSamples(await scrape(), name);
  return { name: 'collector', pid, host: opts.host, port: udpPort, counts, stop, logTail, metric, countsParsed };
}
