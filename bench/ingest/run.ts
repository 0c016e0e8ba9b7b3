// `npm run bench:ingest`: how fast the real collector process receives and parses netconsole traffic
// with zero loss, next to a minimal C receiver (the physical limit of this machine), and the
// collector's resident memory with 10,000 active sources. Progress on stdout; the last line is one
// JSON object: {"collectorZeroLossPps", "referenceZeroLossPps", "ratio", "rssMiBAt10kSources"}.
import { readFile } from 'node:fs/promises';
import { availableParallelism, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { medianMicrosPerDatagram, type CostSample } from './cpu-cost.js';
import { buildTools, defaultCacheRoot, type Tools } from './build-tools.js';
import { buildCollector, collectorDistExists } from './build-collector.js';
import { signalAll } from './child-registry.js';
import { repoRoot, startCollector, type CollectorOptions, type CollectorReceiver } from './collector-receiver.js';
import { findZeroLossRate, type SearchResult, type TrialResult } from './find-zero-loss.js';
import { runLoad, type LoadReport } from './load-generator.js';
import { processMemory } from './process-memory.js';
import type { Receiver } from './receiver.js';
import { startReferenceReceiver } from './reference-receiver.js';
import { drain, runTrial } from './run-trial.js';

const HOST = '127.0.0.1';

const { values: flags } = parseArgs({
  options: {
    rates: { type: 'string', default: '5000,10000,25000,50000,100000,200000,400000,800000,1600000' },
    duration: { type: 'string', default: '3' },
    reps: { type: 'string', default: '3' },
    refine: { type: 'string', default: '2' },
    sources: { type: 'string', default: '1000' },
    threads: { type: 'string', default: '1' },
    'panic-every': { type: 'string', default: '100000' },
    'recv-buffer': { type: 'string', default: String(8 * 1024 * 1024) },
    'rss-sources': { type: 'string', default: '10000' },
    'rss-per-source': { type: 'string', default: '10' },
    'rss-rate': { type: 'string', default: '10000' },
    'collector-from': { type: 'string', default: 'dist' },
    'received-metric': { type: 'string', default: 'lastgasp_datagrams_received_total' },
    'parsed-metric': { type: 'string', default: 'lastgasp_datagrams_parsed_total' },
    'hosts-metric': { type: 'string', default: 'lastgasp_hosts_tracked' },
    'collector-args': { type: 'string', default: '' },
    only: { type: 'string' },
    help: { type: 'boolean', default: false },
  },
});

const usage = `usage: npm run bench:ingest -- [flags]
  --rates LIST            stepped rates, datagrams/s (${flags.rates})
  --duration S            seconds per trial (${flags.duration})
  --reps N                repetitions per step; a step passes if any is loss-free (${flags.reps})
  --refine N              bisection steps after the first failing rate (${flags.refine})
  --sources N             simulated source hosts for the rate search (${flags.sources})
  --threads N             load generator threads (${flags.threads})
  --panic-every N         datagrams between two simulated panics; 0 = none (${flags['panic-every']})
  --recv-buffer BYTES     reference receiver's SO_RCVBUF; keep equal to the collector's (${flags['recv-buffer']})
  --rss-sources N         sources for the memory measurement (${flags['rss-sources']})
  --rss-per-source N      records sent by each of them (${flags['rss-per-source']})
  --rss-rate PPS          rate for the memory measurement (${flags['rss-rate']})
  --collector-from dist|source   build and run collector/dist (default), or run collector/src through tsx
  --received-metric NAME, --parsed-metric NAME, --hosts-metric NAME   the collector's metrics
  --collector-args "ARGS"  more flags for \`lastgasp-collector serve\` (space-separated)
  --only reference|collector|rss   run one part (the JSON line then has nulls)
`;

function positiveNumber(name: string, text: string | undefined, allowZero = false): number {
  const value = Number(text);
  if (!Number.isFinite(value) || value < 0 || (!allowZero && value === 0)) {
    throw new Error(`--${name} must be a ${allowZero ? 'non-negative' : 'positive'} number, got "${text}"`);
  }
  return value;
}

const log = (line: string) => process.stdout.write(`[bench] ${line}\n`);
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

function describeTrial(name: string, t: TrialResult & { report: LoadReport; receiverCpuSeconds: number }, rep: number): string {
  const lost = t.sent - Math.min(t.received, t.parsed);
  const share = t.sent > 0 ? ((100 * lost) / t.sent).toFixed(2) : '0.00';
  const drops = t.socketDrops === null ? '' : ` socket drops ${fmt(t.socketDrops)}`;
  const limit = t.generatorLimited ? `  (generator reached only ${fmt(t.achievedPps)} pps)` : '';
  const perDatagram = (seconds: number, n: number) => (n > 0 ? ((seconds * 1e6) / n).toFixed(1) : '-');
  return (
    `${name} ${fmt(t.targetPps).padStart(9)} pps rep ${rep}: sent ${fmt(t.sent)} received ${fmt(t.received)} ` +
    `parsed ${fmt(t.parsed)} lost ${fmt(lost)} (${share}%)${drops} ${t.zeroLoss ? 'ok' : 'LOSS'}${limit}; ` +
    `CPU µs/datagram: receiver ${perDatagram(t.receiverCpuSeconds, t.received)}, generator ${perDatagram(t.report.cpuSeconds, t.sent)}`
  );
}

function summarise(name: string, r: SearchResult): void {
  const fail = r.firstFailingPps === null ? 'no rate tried lost datagrams' : `loss from ${fmt(r.firstFailingPps)} pps`;
  log(`${name}: highest zero-loss rate ${fmt(r.zeroLossPps)} pps (${fail})`);
  if (r.generatorLimited) {
    log(`${name}: the GENERATOR was the limit (it could not send faster); the receiver may sustain more`);
  }
}

interface Settings {
  rates: number[];
  durationSeconds: number;
  repetitions: number;
  refineSteps: number;
  sources: number;
  threads: number;
  panicEvery: number;
}

interface Measured {
  result: SearchResult;
  /** Median CPU µs per datagram of the receiver and of the generator over the trials. */
  receiverMicros: number | null;
  generatorMicros: number | null;
}

async function search(name: string, receiver: Receiver, tools: Tools, s: Settings): Promise<Measured> {
  const receiverCost: CostSample[] = [];
  const generatorCost: CostSample[] = [];
  log(`${name}: pid ${receiver.pid}, udp ${receiver.host}:${receiver.port}, ${s.sources} sources, ${s.durationSeconds} s per trial, up to ${s.repetitions} repetitions per rate`);
  const result = await findZeroLossRate({
    rates: s.rates,
    repetitions: s.repetitions,
    refineSteps: s.refineSteps,
    trial: async (ratePps, rep) => {
      const t = await runTrial(
        receiver,
        tools.loadgen,
        { sources: s.sources, ratePps, durationSeconds: s.durationSeconds, threads: s.threads, panicEvery: s.panicEvery },
        { quietMs: 1500, timeoutMs: 60_000 },
      );
      log(describeTrial(name, t, rep));
      receiverCost.push({ cpuSeconds: t.receiverCpuSeconds, datagrams: t.received });
      generatorCost.push({ cpuSeconds: t.report.cpuSeconds, datagrams: t.sent });
      return t;
    },
  });
  summarise(name, result);
  const measured = {
    result,
    receiverMicros: medianMicrosPerDatagram(receiverCost),
    generatorMicros: medianMicrosPerDatagram(generatorCost),
  };
  if (measured.receiverMicros !== null && measured.generatorMicros !== null) {
    log(
      `${name}: CPU per datagram (median of trials): receiver ${measured.receiverMicros.toFixed(1)} µs, generator ` +
        `${measured.generatorMicros.toFixed(1)} µs; with a core to itself the receiver would take about ` +
        `${fmt(1e6 / measured.receiverMicros)} pps, the generator send about ${fmt(1e6 / measured.generatorMicros)} pps`,
    );
  }
  return measured;
}

async function searchCollector(receiver: CollectorReceiver, tools: Tools, settings: Settings): Promise<Measured> {
  if (!receiver.countsParsed) {
    log(`collector: WARNING /metrics has no ${flags['parsed-metric']}: loss between socket and parser is not seen; counting received datagrams only`);
  }
  return search('collector', receiver, tools, settings);
}

/** On SIGINT/SIGTERM, stops the receivers this run started, then dies of the same signal. */
function stopOnSignals(): void {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      signalAll('SIGTERM');
      process.kill(process.pid, signal);
    });
  }
}

async function withReceiver<R extends Receiver, T>(start: () => Promise<R>, use: (r: R) => Promise<T>): Promise<T> {
  const receiver = await start();
  try {
    return await use(receiver);
  } finally {
    await receiver.stop();
  }
}

async function measureRss(tools: Tools, collector: CollectorOptions, sources: number, perSource: number, ratePps: number): Promise<number> {
  return withReceiver(
    () => startCollector(collector),
    async (receiver) => {
      const idle = await processMemory(receiver.pid);
      log(`rss: collector pid ${receiver.pid} idle: VmRSS ${(idle.rssKiB / 1024).toFixed(1)} MiB`);
      const before = await receiver.counts();
      const report = await runLoad(tools.loadgen, {
        target: { host: receiver.host, port: receiver.port },
        sources,
        perSource,
        ratePps,
        threads: 1,
        panicEvery: 0,
      });
      const after = await drain(receiver, before, report.sent, { quietMs: 2000, timeoutMs: 120_000 });
      const parsed = after.parsed - before.parsed;
      const hosts = await receiver.metric(flags['hosts-metric'] ?? '');
      const mem = await processMemory(receiver.pid);
      log(
        `rss: ${fmt(report.sent)} datagrams from ${fmt(sources)} sources (${perSource} each) at ${fmt(report.achievedPps)} pps; ` +
          `parsed ${fmt(parsed)}; hosts tracked ${hosts === null ? 'unknown' : fmt(hosts)}; VmRSS ${(mem.rssKiB / 1024).toFixed(1)} MiB, peak ${(mem.peakRssKiB / 1024).toFixed(1)} MiB`,
      );
      if (hosts !== null && hosts < sources) log(`rss: WARNING the collector tracks ${fmt(hosts)} hosts, fewer than the ${fmt(sources)} sources`);
      if (parsed !== report.sent) log(`rss: note: ${fmt(report.sent - parsed)} datagrams were not parsed (lost or still queued)`);
      return Math.round((mem.rssKiB / 1024) * 10) / 10;
    },
  );
}

async function machineSummary(): Promise<string> {
  const rmemMax = await readFile('/proc/sys/net/core/rmem_max', 'utf8').catch(() => '?');
  const load = loadavg().map((l) => l.toFixed(2)).join(' ');
  return `${availableParallelism()} CPUs, load average ${load}, net.core.rmem_max ${rmemMax.trim()}, node ${process.version}`;
}

function parseSettings(): Settings {
  return {
    rates: (flags.rates ?? '').split(',').map((r) => positiveNumber('rates', r)).sort((a, b) => a - b),
    durationSeconds: positiveNumber('duration', flags.duration),
    repetitions: positiveNumber('reps', flags.reps),
    refineSteps: positiveNumber('refine', flags.refine, true),
    sources: positiveNumber('sources', flags.sources),
    threads: positiveNumber('threads', flags.threads),
    panicEvery: positiveNumber('panic-every', flags['panic-every'], true),
  };
}

async function collectorOptions(): Promise<CollectorOptions> {
  const wanted = flags['collector-from'];
  if (wanted !== 'source' && wanted !== 'dist') throw new Error(`--collector-from must be dist or source`);
  let from: CollectorOptions['from'] = wanted;
  if (from === 'dist') {
    log('building the collector as its image does (tsc -b collector, then client-node bundled)');
    const build = await buildCollector(repoRoot);
    if (!build.ok) log(`WARNING the collector build reported errors; running what it emitted:\n${build.diagnostics.split('\n').slice(0, 10).join('\n')}`);
    if (!(await collectorDistExists(repoRoot))) {
      log('WARNING collector/dist/main.js is missing: running the sources through tsx (RSS then includes the loader)');
      from = 'source';
    }
  }
  return {
    host: HOST,
    from,
    metrics: { received: flags['received-metric'] ?? '', parsed: flags['parsed-metric'] ?? '' },
    extraArgs: ['--log-level', 'warn', ...(flags['collector-args'] ?? '').split(' ').filter((a) => a !== '')],
    startTimeoutMs: 120_000,
  };
}

function logCpuComparison(referenceRun: Measured | null, collectorRun: Measured | null): void {
  const ref = referenceRun?.receiverMicros ?? null;
  const col = collectorRun?.receiverMicros ?? null;
  if (ref === null || col === null) return;
  log(
    `CPU per datagram, reference / collector = ${(ref / col).toFixed(2)} ` +
      '(the same comparison by CPU cost, which depends little on how busy the machine is)',
  );
}

function printResult(referenceRun: Measured | null, collectorRun: Measured | null, rss: number | null): void {
  const reference = referenceRun?.result ?? null;
  const collected = collectorRun?.result ?? null;
  const ratio = reference && collected && reference.zeroLossPps > 0 ? collected.zeroLossPps / reference.zeroLossPps : null;
  if (reference && collected) {
    log(
      `collector ${fmt(collected.zeroLossPps)} pps / reference ${fmt(reference.zeroLossPps)} pps = ratio ${ratio === null ? 'n/a' : ratio.toFixed(2)} (target ≥ 0.5)` +
        (reference.generatorLimited ? "; the reference figure is the generator's limit, so the true ratio is lower" : ''),
    );
  }
  logCpuComparison(referenceRun, collectorRun);
  if (rss !== null) log(`collector RSS with ${flags['rss-sources']} active sources: ${rss} MiB (target ≤ 200 MiB)`);
  process.stdout.write(
    `${JSON.stringify({
      collectorZeroLossPps: collected?.zeroLossPps ?? null,
      referenceZeroLossPps: reference?.zeroLossPps ?? null,
      ratio: ratio === null ? null : Math.round(ratio * 1000) / 1000,
      rssMiBAt10kSources: rss,
    })}\n`,
  );
}

function required<T>(value: T | null): T {
  if (value === null) throw new Error('internal: a part ran without its settings');
  return value;
}

async function main(): Promise<number> {
  if (flags.help) {
    process.stdout.write(usage);
    return 0;
  }
  const only = flags.only;
  if (only !== undefined && !['reference', 'collector', 'rss'].includes(only)) throw new Error(`--only must be reference, collector or rss`);
  const runs = (part: string) => only === undefined || only === part;
  const settings = parseSettings();
  const recvBufferBytes = positiveNumber('recv-buffer', flags['recv-buffer']);
  const rssArgs = [
    positiveNumber('rss-sources', flags['rss-sources']),
    positiveNumber('rss-per-source', flags['rss-per-source']),
    positiveNumber('rss-rate', flags['rss-rate']),
  ] as const;
  stopOnSignals();
  log(`machine: ${await machineSummary()}`);
  const collector = runs('collector') || runs('rss') ? await collectorOptions() : null;
  const tools = await buildTools({ cacheRoot: defaultCacheRoot(process.env), log });

  const reference = runs('reference')
    ? await withReceiver(
        () => startReferenceReceiver(tools.refrecv, { host: HOST, recvBufferBytes }),
        (r) => search('reference', r, tools, settings),
      )
    : null;
  const collected = runs('collector')
    ? await withReceiver(() => startCollector(required(collector)), (r) => searchCollector(r, tools, settings))
    : null;
  const rss = runs('rss') ? await measureRss(tools, required(collector), ...rssArgs) : null;
  printResult(reference, collected, rss);
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`bench:ingest: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    if (err instanceof Error && err.cause instanceof Error) process.stderr.write(`  cause: ${err.cause.message}\n`);
    process.exitCode = 1;
  },
);
