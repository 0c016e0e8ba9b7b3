// The abuse cases against the standalone collector (native receiver): each starts a fresh collector,
// floods it with the load generator, sends one real panic from another source in the middle of the
// flood, and reports the collector's peak memory, heap, socket drops and when (if) the panic was seen.
import { createSocket } from 'node:dgram';
import { readFile } from 'node:fs/promises';
import { startCollector, type CollectorReceiver } from '../ingest/collector-receiver.js';
import { runLoad, type LoadReport } from '../ingest/load-generator.js';
import { processMemory } from '../ingest/process-memory.js';
import { socketDrops } from '../ingest/socket-drops.js';
import { panicDatagrams, PANIC_SOURCE } from './panic.js';

export interface FloodCase {
  name: string;
  sources: number;
  datagrams: number;
  incompleteFragments: boolean;
}

export interface CaseResult {
  case: string;
  /** Datagrams per second asked of the generator (0: its maximum). */
  ratePps: number;
  sent: number;
  achievedPps: number;
  received: number;
  /** Dropped by the kernel: the socket's receive buffer was full. */
  socketDrops: number;
  /** Dropped by the collector's own parse queue. */
  queueDrops: number;
  peakRssMiB: number;
  heapUsedMiB: number;
  /** The other source's panic: detected, and how long after it was sent (null: never). */
  panicDetected: boolean;
  panicDetectMs: number | null;
}

const mib = (bytes: number): number => Math.round((bytes / 1024 / 1024) * 10) / 10;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Sends the panic from PANIC_SOURCE; resolves with the time the first datagram left. */
async function sendPanic(host: string, port: number): Promise<number> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind({ address: PANIC_SOURCE, port: 0 }, resolve));
  const sentAt = Date.now();
  for (const d of panicDatagrams()) await new Promise<void>((resolve, reject) => socket.send(d, port, host, (err) => (err ? reject(err) : resolve())));
  socket.close();
  return sentAt;
}

/** When the collector logged the panic from PANIC_SOURCE as opened (its clock, ms), or null. */
async function panicOpenedAt(logPath: string): Promise<number | null> {
  const text = await readFile(logPath, 'utf8');
  for (const line of text.split('\n')) {
    if (!line.includes('"incident opened"') || !line.includes(PANIC_SOURCE)) continue;
    const entry = JSON.parse(line) as { time?: number; source?: string; fatal?: boolean };
    if (entry.source === PANIC_SOURCE && entry.fatal === true && typeof entry.time === 'number') return entry.time;
  }
  return null;
}

export async function runFloodCase(opts: {
  flood: FloodCase;
  ratePps: number;
  loadgen: string;
  from: 'source' | 'dist';
  threads: number;
  log: (line: string) => void;
}): Promise<CaseResult> {
  const { flood } = opts;
  const collector: CollectorReceiver = await startCollector({
    host: '127.0.0.1',
    from: opts.from,
    metrics: { received: 'lastgasp_datagrams_received_total', parsed: 'lastgasp_datagrams_parsed_total' },
    extraArgs: ['--udp-receiver', 'native'],
    startTimeoutMs: 60_000,
  });
  try {
    const dropsBefore = (await socketDrops(collector.port)) ?? 0;
    let peakKiB = 0;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        peakKiB = Math.max(peakKiB, (await processMemory(collector.pid)).rssKiB);
        await sleep(100);
      }
    })();
    const load: Promise<LoadReport> = runLoad(opts.loadgen, {
      target: { host: collector.host, port: collector.port },
      sources: flood.sources,
      ratePps: opts.ratePps,
      count: flood.datagrams,
      threads: opts.threads,
      panicEvery: 0,
      incompleteFragments: flood.incompleteFragments,
    });
    // The panic goes out once the flood is under way (a third of its expected length, at most 3 s in).
    const expectedMs = opts.ratePps > 0 ? (flood.datagrams / opts.ratePps) * 1000 : 4000;
    await sleep(Math.min(3000, expectedMs / 3));
    const sentAt = await sendPanic(collector.host, collector.port);
    const report = await load;
    // Let the collector drain its queue, then read everything.
    for (let i = 0; i < 50; i++) {
      const before = await collector.metric('lastgasp_datagrams_received_total');
      await sleep(200);
      if ((await collector.metric('lastgasp_datagrams_received_total')) === before) break;
    }
    sampling = false;
    await sampler;
    const memory = await processMemory(collector.pid);
    const openedAt = await panicOpenedAt(collector.logPath);
    const result: CaseResult = {
      case: flood.name,
      ratePps: opts.ratePps,
      sent: report.sent,
      achievedPps: Math.round(report.achievedPps),
      received: (await collector.metric('lastgasp_datagrams_received_total')) ?? 0,
      socketDrops: ((await socketDrops(collector.port)) ?? 0) - dropsBefore,
      queueDrops: (await collector.metric('lastgasp_datagrams_queue_dropped_total')) ?? 0,
      peakRssMiB: mib(Math.max(peakKiB, memory.peakRssKiB) * 1024),
      heapUsedMiB: mib((await collector.metric('nodejs_heap_size_used_bytes')) ?? 0),
      panicDetected: openedAt !== null,
      panicDetectMs: openedAt === null ? null : openedAt - sentAt,
    };
    opts.log(`abuse: ${JSON.stringify(result)}`);
    return result;
  } finally {
    await collector.stop();
  }
}
