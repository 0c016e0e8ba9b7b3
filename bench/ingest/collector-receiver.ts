// The real collector process (`lastgasp-collector serve --standalone`) as a Receiver. Counts come from
// its /metrics endpoint; the process's output goes to a log file whose tail is shown when it fails.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { COLLECTOR_NODE_OPTIONS } from '@lastgasp/collector';
import { scrapeMetrics, spawnCollector, spawnNode, sumSamples, type LaunchNode } from '@lastgasp/testbed/collector';
import { freePort, waitFor } from '@lastgasp/testbed/testing';
import { track, untrack } from './child-registry.js';
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
  logTail(lines?: number): string;
  /** The collector's log file (pino JSON lines). */
  readonly logPath: string;
  /** Sum of a metric's samples on /metrics; null when absent. */
  metric(name: string): Promise<number | null>;
  /**
   * False when the collector exposes no parsed counter: `parsed` then repeats `received`, and loss
   * between the socket and the parser goes unseen.
   */
  readonly countsParsed: boolean;
}

/** A plain child, in the child registry until it exits, so that an interrupted run can stop it. */
const trackedChild: LaunchNode = (launch) => {
  const child = spawnNode(launch);
  track(child.pid);
  void child.exited.then(() => untrack(child.pid));
  return child;
};

export async function startCollector(opts: CollectorOptions): Promise<CollectorReceiver> {
  const udpPort = await freePort({ host: opts.host, protocol: 'udp' });
  const httpPort = await freePort({ host: opts.host });
  const grpcPort = await freePort({ host: opts.host });
  const dir = await mkdtemp(join(tmpdir(), 'lastgasp-bench-'));
  const collector = await spawnCollector({
    name: 'collector',
    dir,
    entry: opts.from,
    args: [
      '--standalone',
      '--udp-listen', `${opts.host}:${udpPort}`,
      '--http-listen', `${opts.host}:${httpPort}`,
      '--grpc-listen', `${opts.host}:${grpcPort}`,
      ...opts.extraArgs,
    ],
    // As in the image.
    env: { NODE_OPTIONS: process.env.BENCH_NODE_OPTIONS ?? COLLECTOR_NODE_OPTIONS },
    launch: trackedChild,
    stopGraceMs: 10_000,
  });
  const logTail = (lines = 20) => collector.logTail(lines);
  const stop = async () => {
    await collector.stop();
    await rm(dir, { recursive: true, force: true });
  };

  const base = `http://${opts.host.includes(':') ? `[${opts.host}]` : opts.host}:${httpPort}`;
  const scrape = () => scrapeMetrics(base);
  let countsParsed = true;
  const counts = async (): Promise<ReceiverCounts> => {
    const text = await scrape();
    const received = sumSamples(text, opts.metrics.received);
    if (received === null) throw new Error(`/metrics lacks ${opts.metrics.received}`);
    const parsed = countsParsed ? sumSamples(text, opts.metrics.parsed) : null;
    return { received, parsed: parsed ?? received };
  };
  try {
    const first = await waitFor(
      'the collector to answer /readyz and /metrics',
      async () => {
        const exit = collector.exitInfo();
        if (exit !== undefined) throw new Error(`collector exited (${String(exit.code ?? exit.signal)})`);
        const ready = await fetch(`${base}/readyz`);
        if (!ready.ok) return undefined;
        await counts();
        return scrape();
      },
      { timeoutMs: opts.startTimeoutMs, intervalMs: 250 },
    );
    countsParsed = sumSamples(first, opts.metrics.parsed) !== null;
  } catch (err) {
    const tail = logTail();
    await stop();
    throw new Error(`collector did not start; its log ends with:\n${tail}`, { cause: err });
  }
  const metric = async (name: string) => sumSamples(await scrape(), name);
  return { name: 'collector', pid: collector.pid, host: opts.host, port: udpPort, counts, stop, logTail, logPath: collector.logPath, metric, countsParsed };
}
