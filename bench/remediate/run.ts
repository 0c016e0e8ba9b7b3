// Benchmark: how fast the collector cleans up after a node's kernel panic, against a real control
// plane (etcd, kube-apiserver, controller-manager, scheduler, kwok) and the collector as a real process.
//
//   npm run bench:remediate [-- --reps 20 --pods 110 --nodes 2000 --baseline --from auto|dist|source --cpu-prof --heap-snapshot --keep-logs]
//
// Two collectors run side by side, each leading its own Lease: one with proof of death on (the
// default), one with it off. Each repetition, for each of them: a new kwok Node whose InternalIP lives in
// the test bed's node address pool (a live node's address answers a TCP SYN), `--pods` pods bound to it
// and Running; then the node dies — its address falls silent, as a panicked kernel's does — and its last
// gasp goes out from that address as netconsole datagrams. From the moment the panic line is sent,
// watches on the pods and the Node time (a) every pod carrying the reason annotation and the
// DisruptionTarget condition, (b) every pod gone, (c) the Node gone. The probe's cost is the difference
// of the two collectors' figures, measured in the same run, interleaved.
// Then the collector's RSS with `--nodes` kwok Nodes in the cluster (VmRSS from /proc).
// `--baseline`: meanwhile, a node that simply stops heartbeating, handled by Kubernetes alone with
// default controller-manager timings; time until all its pods are marked for deletion (~6 min).
// Progress goes to stderr; the last line on stdout is one JSON object:
// {"pods","annotatedP50Ms","annotatedP99Ms","podsGoneP99Ms","nodeGoneP50Ms","nodeGoneP99Ms",
//  "probeOff":{"annotatedP50Ms","nodeGoneP50Ms","nodeGoneP99Ms"},"probeCostP50Ms","probeCostP99Ms",
//  "rssMiBAt2000Nodes","baselineMs"} — the top-level figures with proof of death on.
// Targets on a 2-core machine: nodeGoneP99Ms ≤ 1500 (probe on), rssMiBAt2000Nodes ≤ 150.
import { mkdir, mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createNodeAddressPool, ensureNamespace, startCluster, type Cluster, type NodeAddressPool } from '@lastgasp/testbed/cluster';
import type { CollectorProcess } from '@lastgasp/testbed/collector';
import { buildCollector } from '../ingest/build-collector.js';
import { addTotals, formatTotals, scrapeApiServer, subtractTotals, type RequestTotals } from './apiserver-metrics.js';
import { startBaseline, type Baseline } from './baseline.js';
import { startBenchCollector } from './bench-collector.js';
import { formatProfile, summariseProfile, type CpuProfile } from './cpu-profile.js';
import { formatHeap, summariseHeap, type HeapSnapshot } from './heap-snapshot.js';
import { processMemory } from '../ingest/process-memory.js';
import { percentile, type RepResult } from './rep-timings.js';
import { stepTimings } from './step-timings.js';
import { warmControlPlane } from './warm-control-plane.js';
import { measureRssAtNodes, type RssAtNodes } from './rss-at-nodes.js';
import { BENCH_NAMESPACE, runRep } from './run-rep.js';

const REPO = resolve(fileURLToPath(new URL('.', import.meta.url)), '..', '..');
const CRD = join(REPO, 'deploy', 'helm', 'lastgasp', 'crds', 'nodeincidents.lastgasp.dev.yaml');

function log(line: string): void {
  process.stderr.write(`[bench:remediate] ${line}\n`);
}

interface Options {
  reps: number;
  pods: number;
  nodes: number;
  baseline: boolean;
  baselinePods: number;
  from: 'dist' | 'source' | 'auto';
  /** Run the collector under `--cpu-prof` and print where its CPU time went. */
  cpuProf: boolean;
  /** With the Nodes in the cluster, have the collector write a heap snapshot and summarise it. */
  heapSnapshot: boolean;
  /** Keep the collector's log and files (the path is printed). */
  keepLogs: boolean;
}

function positive(name: string, text: string | undefined, fallback: number, allowZero = false): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0 || (n === 0 && !allowZero)) throw new Error(`--${name}: expected a ${allowZero ? 'non-negative' : 'positive'} integer, got ${text}`);
  return n;
}

function parseOptions(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    options: {
      reps: { type: 'string' },
      pods: { type: 'string' },
      nodes: { type: 'string' },
      baseline: { type: 'boolean' },
      'baseline-pods': { type: 'string' },
      from: { type: 'string' },
      'cpu-prof': { type: 'boolean' },
      'heap-snapshot': { type: 'boolean' },
      'keep-logs': { type: 'boolean' },
    },
    strict: true,
  });
  const from = values.from ?? 'auto';
  if (from !== 'dist' && from !== 'source' && from !== 'auto') throw new Error(`--from: expected dist, source or auto, got ${from}`);
  const reps = positive('reps', values.reps, 20);
  if (reps > 1000) throw new Error('--reps: at most 1000 (two pool addresses per repetition)');
  return {
    reps,
    pods: positive('pods', values.pods, 110),
    nodes: positive('nodes', values.nodes, 2000, true),
    baseline: values.baseline ?? false,
    baselinePods: positive('baseline-pods', values['baseline-pods'], 10),
    from,
    cpuProf: values['cpu-prof'] ?? false,
    heapSnapshot: values['heap-snapshot'] ?? false,
    keepLogs: values['keep-logs'] ?? false,
  };
}

/** The compiled collector when it builds (what ships; less RSS than a TypeScript loader), else the sources. */
async function collectorFrom(choice: Options['from']): Promise<'dist' | 'source'> {
  if (choice !== 'auto') return choice;
  log('building the collector as its image does (tsc -b collector, then client-node bundled)');
  const build = await buildCollector(REPO);
  if (build.ok) return 'dist';
  log(`the collector does not build cleanly; running its sources through tsx instead (RSS includes the loader):\n${build.diagnostics.slice(0, 2000)}`);
  return 'source';
}

const round = (ms: number) => Math.round(ms);

/** Signals the collector to write a heap snapshot, waits for the file to be complete, logs a summary. */
async function heapSnapshotOf(pid: number, dir: string): Promise<void> {
  process.kill(pid, 'SIGUSR2');
  const deadline = Date.now() + 300_000;
  while (Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 2_000));
    try {
      process.kill(pid, 0);
    } catch {
      log('the collector exited instead of writing a heap snapshot (see its log)');
      return;
    }
    const file = (await readdir(dir).catch(() => [])).find((f) => f.endsWith('.heapsnapshot'));
    if (file === undefined) continue;
    try {
      const summary = summariseHeap(JSON.parse(await readFile(join(dir, file), 'utf8')) as HeapSnapshot);
      for (const line of formatHeap(summary)) log(line);
      return;
    } catch {
      // Still being written.
    }
  }
  log('no complete heap snapshot within 5 min');
}

async function readProfiles(dir: string): Promise<string[]> {
  const files = (await readdir(dir).catch(() => [])).filter((f) => f.endsWith('.cpuprofile'));
  if (files.length === 0) return [`no CPU profile was written to ${dir}`];
  const lines: string[] = [];
  for (const f of files) lines.push(...formatProfile(summariseProfile(JSON.parse(await readFile(join(dir, f), 'utf8')) as CpuProfile)));
  return lines;
}

function describeRep(i: number, reps: number, r: RepResult, calls: RequestTotals): string {
  const podCalls = [...calls].filter(([k]) => / pods(\/status)?$/.test(k)).reduce((n, [, s]) => n + s.count, 0);
  return (
    `rep ${i}/${reps}: annotated ${round(r.annotatedMs)} ms (first pod ${round(r.firstAnnotatedMs)} ms), ` +
    `pods gone ${round(r.podsGoneMs)} ms, node gone ${round(r.nodeGoneMs)} ms; ` +
    `per pod: annotate→condition ${round(r.medianAnnotateToFailMs)} ms, condition→gone ${round(r.medianFailToGoneMs)} ms (medians); ` +
    `${podCalls} pod API calls; load ${loadavg()[0]?.toFixed(1)}`
  );
}

interface Run {
  cluster: Cluster | null;
  pool: NodeAddressPool | null;
  collector: CollectorProcess | null;
  /** The same collector with proof of death off. */
  probeOff: CollectorProcess | null;
  baseline: Baseline | null;
  dir: string;
}

async function cleanUp(run: Run, keepLogs: boolean): Promise<void> {
  run.baseline?.stop();
  await run.collector?.stop().catch((err: unknown) => log(`stopping the collector: ${String(err)}`));
  await run.probeOff?.stop().catch((err: unknown) => log(`stopping the collector: ${String(err)}`));
  await run.pool?.remove().catch((err: unknown) => log(`removing the address pool: ${String(err)}`));
  await run.cluster?.stop().catch((err: unknown) => log(`stopping the cluster: ${String(err)}`));
  if (keepLogs) log(`kept the collector's files in ${run.dir}`);
  else if (run.dir !== '') await rm(run.dir, { recursive: true, force: true });
}

interface Measured {
  probeOn: RepResult[];
  probeOff: RepResult[];
}

async function measureReps(cluster: Cluster, pool: NodeAddressPool, collectors: { on: CollectorProcess; off: CollectorProcess }, opts: Options): Promise<Measured> {
  const measured: Measured = { probeOn: [], probeOff: [] };
  const calls: RequestTotals = new Map();
  const collectorAddress = pool.layout.ipv4.hostLink.split('/')[0] ?? '';
  for (let i = 1; i <= opts.reps; i++) {
    // Interleaved, so drift on this machine hits both alike.
    for (const probe of [true, false]) {
      const collector = probe ? collectors.on : collectors.off;
      const node = `bench-${probe ? 'on' : 'off'}-r${i}`;
      const before = await scrapeApiServer(cluster.kubeConfig);
      const r = await runRep({ cluster, collector, pool, collectorAddress, waitSelfCheck: probe, pods: opts.pods, log }, i, node);
      const delta = subtractTotals(await scrapeApiServer(cluster.kubeConfig), before);
      if (probe) addTotals(calls, delta);
      (probe ? measured.probeOn : measured.probeOff).push(r);
      log(`probe ${probe ? 'on ' : 'off'} ${describeRep(i, opts.reps, r, delta)}`);
      log(`  collector's steps (ms from the incident's opening: +start/duration): ${await stepTimings(collector.listeners.grpc, node).catch((err: unknown) => String(err))}`);
    }
  }
  const collector = collectors.on;
  log(`kube-apiserver, server-side time per call over all ${opts.reps} repetitions (setup included; the collector's calls are those on nodeincidents, pods, pods/status, events, nodes):`);
  for (const line of formatTotals(calls, (k) => /nodeincidents|pods|events|nodes$|leases/.test(k)).slice(0, 14)) log(`  ${line}`);
  const inCollector = await collector.metric('lastgasp_remediation_duration_seconds_sum');
  const incidents = await collector.metric('lastgasp_remediation_duration_seconds_count');
  if (inCollector !== null && incidents !== null && incidents > 0) {
    log(`collector's own remediation time (first sight → Remediated, record updates included): mean ${round((inCollector / incidents) * 1000)} ms over ${incidents}`);
  }
  return measured;
}

function summarise(pods: number, measured: Measured, rss: RssAtNodes | null, baselineMs: number | null) {
  const results = measured.probeOn;
  const annotated = results.map((r) => r.annotatedMs);
  const nodeGone = results.map((r) => r.nodeGoneMs);
  const offGone = measured.probeOff.map((r) => r.nodeGoneMs);
  const probeOff = {
    annotatedP50Ms: round(percentile(measured.probeOff.map((r) => r.annotatedMs), 50)),
    nodeGoneP50Ms: round(percentile(offGone, 50)),
    nodeGoneP99Ms: round(percentile(offGone, 99)),
  };
  return {
    pods,
    annotatedP50Ms: round(percentile(annotated, 50)),
    annotatedP99Ms: round(percentile(annotated, 99)),
    podsGoneP99Ms: round(percentile(results.map((r) => r.podsGoneMs), 99)),
    nodeGoneP50Ms: round(percentile(nodeGone, 50)),
    nodeGoneP99Ms: round(percentile(nodeGone, 99)),
    probeOff,
    probeCostP50Ms: round(percentile(nodeGone, 50) - probeOff.nodeGoneP50Ms),
    probeCostP99Ms: round(percentile(nodeGone, 99) - probeOff.nodeGoneP99Ms),
    rssMiBAt2000Nodes: rss === null ? null : rss.rssMiB,
    baselineMs,
  };
}

async function main(): Promise<void> {
  const opts = parseOptions(process.argv.slice(2));
  log(`options ${JSON.stringify(opts)}; load average ${loadavg().map((l) => l.toFixed(1)).join(' ')} on this machine`);
  const from = await collectorFrom(opts.from);
  const run: Run = { cluster: null, pool: null, collector: null, probeOff: null, baseline: null, dir: await mkdtemp(join(tmpdir(), 'lastgasp-bench-remediate-')) };
  try {
    // Default controller-manager timings: the baseline depends on them.
    const cluster = await startCluster({ log: (line) => log(`cluster: ${line}`) });
    run.cluster = cluster;
    await cluster.installCrds([CRD]);
    await ensureNamespace(cluster, BENCH_NAMESPACE);
    await warmControlPlane(cluster, opts.pods, log);
    if (opts.heapSnapshot) await mkdir(join(run.dir, 'heap'));
    const pool = await createNodeAddressPool({ ipv6: false });
    run.pool = pool;
    const udpListen = `${pool.layout.ipv4.hostLink.split('/')[0] ?? ''}:0`;
    // One node per repetition, one after another: storm limits that never hold one back.
    const storm = { maxNodesPerWindow: 1000, windowSeconds: 1, maxPercentOfReadyNodes: 100 };
    const collector = await startBenchCollector({
      from,
      kubeconfigPath: cluster.kubeconfigPath,
      dir: run.dir,
      config: { udpListen, policy: { storm } },
      startTimeoutMs: 120_000,
      nodeArgs: [
        ...(opts.cpuProf ? ['--cpu-prof', `--cpu-prof-dir=${join(run.dir, 'cpu-prof')}`] : []),
        ...(opts.heapSnapshot ? ['--heapsnapshot-signal=SIGUSR2', `--diagnostic-dir=${join(run.dir, 'heap')}`] : []),
      ],
    });
    run.collector = collector;
    const offDir = join(run.dir, 'probe-off');
    await mkdir(offDir);
    run.probeOff = await startBenchCollector({
      from,
      kubeconfigPath: cluster.kubeconfigPath,
      dir: offDir,
      config: { udpListen, identity: 'bench-collector-probe-off', leaseName: 'lastgasp-bench-probe-off', policy: { proofOfDeath: { enabled: false }, storm } },
      startTimeoutMs: 120_000,
      nodeArgs: [],
    });
    log(
      `collector (${from}) pid ${collector.pid} leads; netconsole on 127.0.0.1:${collector.udpPort}; ` +
        `VmRSS ${((await processMemory(collector.pid)).rssKiB / 1024).toFixed(1)} MiB at start; log ${collector.logPath}`,
    );

    if (opts.baseline) {
      run.baseline = await startBaseline({ cluster, pods: opts.baselinePods, log });
    }

    const results = await measureReps(cluster, pool, { on: collector, off: run.probeOff }, opts);
    // The 2,000-Node RSS is the default collector's alone.
    await run.probeOff.stop();
    run.probeOff = null;

    let baselineMs: number | null = null;
    if (run.baseline !== null) {
      baselineMs = round(await run.baseline.result);
      log(`baseline: every pod marked for deletion ${(baselineMs / 1000).toFixed(1)} s after the node's last heartbeat`);
    }

    let rss: RssAtNodes | null = null;
    if (opts.nodes > 0) {
      const snapshot = opts.heapSnapshot ? () => heapSnapshotOf(collector.pid, join(run.dir, 'heap')) : undefined;
      rss = await measureRssAtNodes(cluster, collector, opts.nodes, log, snapshot);
    }

    const summary = summarise(opts.pods, results, rss, baselineMs);
    if (opts.cpuProf) {
      await collector.stop();
      run.collector = null;
      for (const line of await readProfiles(join(run.dir, 'cpu-prof'))) log(line);
    }
    if (rss !== null && rss.nodes !== 2000) log(`note: rssMiBAt2000Nodes was measured with ${rss.nodes} Nodes (--nodes)`);
    const rssVerdict = summary.rssMiBAt2000Nodes === null ? 'not measured' : summary.rssMiBAt2000Nodes <= 150 ? 'met' : 'MISSED';
    log(`targets: nodeGoneP99Ms ≤ 1500 (${summary.nodeGoneP99Ms <= 1500 ? 'met' : 'MISSED'}), RSS ≤ 150 MiB (${rssVerdict}); load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
    process.stdout.write(`${JSON.stringify(summary)}\n`);
  } catch (err) {
    if (run.collector !== null) log(`collector log ends with:\n${run.collector.logTail(40)}`);
    throw err;
  } finally {
    await cleanUp(run, opts.keepLogs);
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`[bench:remediate] failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
