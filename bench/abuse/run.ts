// `npm run bench:abuse`: the collector under hostile and heavy input. Against the standalone collector
// with the native receiver: a one-source flood, many spoofed sources, never-completed fragments from one
// source and from 10,000; each at the generator's maximum rate and at a paced rate at or under
// bench:ingest's zero-loss rate. Against the test control plane with 2,000 kwok Nodes on loopback
// addresses: 10,000 non-fatal incidents from those Nodes. Every case sends one real panic from another
// source in the middle and reports whether and how soon it was detected, with the collector's peak RSS,
// heap and drops. Progress on stderr; the last line on stdout is one JSON object (see README.md).
import { parseArgs } from 'node:util';
import { buildTools, defaultCacheRoot } from '../ingest/build-tools.js';
import { buildCollector } from '../ingest/build-collector.js';
import { signalAll } from '../ingest/child-registry.js';
import { repoRoot } from '../ingest/collector-receiver.js';
import { runClusterCase, type ClusterCaseResult } from './cluster-case.js';
import { runFloodCase, type CaseResult, type FloodCase } from './standalone-cases.js';

const { values: flags } = parseArgs({
  options: {
    datagrams: { type: 'string', default: '1000000' },
    'spoofed-sources': { type: 'string', default: '100000' },
    'paced-rate': { type: 'string', default: '60000' },
    threads: { type: 'string', default: '1' },
    nodes: { type: 'string', default: '2000' },
    incidents: { type: 'string', default: '10000' },
    only: { type: 'string' },
    from: { type: 'string', default: 'dist' },
    help: { type: 'boolean', default: false },
  },
});

const usage = `usage: npm run bench:abuse -- [flags]
  --datagrams N         datagrams per flood (${flags.datagrams})
  --spoofed-sources N   sources of the spoofed-sources case (${flags['spoofed-sources']})
  --paced-rate PPS      the paced runs' rate: at or under bench:ingest's collectorZeroLossPps (${flags['paced-rate']})
  --threads N           load generator threads (${flags.threads})
  --nodes N             kwok Nodes of the cluster case (${flags.nodes})
  --incidents N         non-fatal incidents of the cluster case (${flags.incidents})
  --only floods|cluster run one part (the JSON line then has nulls)
  --from dist|source    run the built collector (default; built first) or its sources through tsx`;

/** RSS the collector must stay under in every case, MiB (the chart's limit is 384Mi). */
const RSS_TARGET_MIB = 256;
/** The other node's panic must be seen this soon at the paced rate, ms. */
const DETECT_TARGET_MS = 1000;

const log = (line: string): void => void process.stderr.write(`${line}\n`);

function positive(name: string, text: string | undefined): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`--${name} must be a positive integer, got ${String(text)}`);
  return n;
}

async function main(): Promise<void> {
  if (flags.help) {
    process.stdout.write(`${usage}\n`);
    return;
  }
  const datagrams = positive('datagrams', flags.datagrams);
  const pacedRate = positive('paced-rate', flags['paced-rate']);
  const threads = positive('threads', flags.threads);
  const from = flags.from === 'source' ? 'source' : 'dist';
  const only = flags.only;
  if (only !== undefined && only !== 'floods' && only !== 'cluster') throw new Error(`--only must be floods or cluster, got ${only}`);

  let floods: CaseResult[] | null = null;
  if (only !== 'cluster') {
    const tools = await buildTools({ cacheRoot: defaultCacheRoot(process.env), log });
    if (from === 'dist') {
      log('abuse: building the collector as its image does');
      await buildCollector(repoRoot);
    }
    const cases: FloodCase[] = [
      { name: 'one-source-flood', sources: 1, datagrams, incompleteFragments: false },
      { name: 'spoofed-sources', sources: positive('spoofed-sources', flags['spoofed-sources']), datagrams, incompleteFragments: false },
      { name: 'fragments-1-source', sources: 1, datagrams, incompleteFragments: true },
      { name: 'fragments-10k-sources', sources: 10_000, datagrams, incompleteFragments: true },
    ];
    floods = [];
    for (const flood of cases) {
      for (const ratePps of [0, pacedRate]) {
        log(`abuse: ${flood.name}, ${flood.datagrams} datagrams from ${flood.sources} source(s) at ${ratePps === 0 ? 'the maximum rate' : `${ratePps} pps`}`);
        floods.push(await runFloodCase({ flood, ratePps, loadgen: tools.loadgen, from, threads, log }));
      }
    }
  }

  let cluster: ClusterCaseResult | null = null;
  if (only !== 'floods') {
    cluster = await runClusterCase({ nodes: positive('nodes', flags.nodes), incidents: positive('incidents', flags.incidents), from, log });
  }

  const all = [...(floods ?? []), ...(cluster === null ? [] : [cluster])];
  const paced = (floods ?? []).filter((c) => c.ratePps > 0);
  const summary = {
    maxPeakRssMiB: Math.max(...all.map((c) => c.peakRssMiB)),
    rssTargetMiB: RSS_TARGET_MIB,
    rssWithinTarget: all.every((c) => c.peakRssMiB <= RSS_TARGET_MIB),
    panicDetectedEveryCase: all.every((c) => c.panicDetected),
    pacedPanicDetectMaxMs: paced.length === 0 ? null : Math.max(...paced.map((c) => c.panicDetectMs ?? Infinity)),
    pacedPanicWithinTarget: paced.every((c) => c.panicDetectMs !== null && c.panicDetectMs <= DETECT_TARGET_MS),
    floods,
    cluster,
  };
  process.stdout.write(`${JSON.stringify(summary)}\n`);
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    signalAll('SIGTERM');
    process.exit(130);
  });
}

main().catch((err: unknown) => {
  signalAll('SIGTERM');
  process.stderr.write(`bench:abuse failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
