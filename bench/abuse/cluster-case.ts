// The cluster abuse case: the collector against the test control plane with many kwok Nodes on
// loopback addresses, and non-fatal incidents (OOM kills) from all of them at once, while a panic
// arrives from another source. Reports the collector's peak RSS and heap, whether and how soon the
// panic was seen, and what the non-fatal incidents became: one Event series per Node, counted in full,
// and no NodeIncident.
import { createSocket } from 'node:dgram';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CustomObjectsApi, EventsV1Api } from '@kubernetes/client-node';
import { formatExtended } from '@lastgasp/collector';
import { startCluster } from '@lastgasp/testbed/cluster';
import { startBenchCollector } from '../remediate/bench-collector.js';
import { measureRssAtNodes, scaleNodeAddress } from '../remediate/rss-at-nodes.js';
import { processMemory } from '../ingest/process-memory.js';
import { panicDatagrams, PANIC_SOURCE } from './panic.js';

const CRD = fileURLToPath(new URL('../../deploy/helm/lastgasp/crds/nodeincidents.lastgasp.dev.yaml', import.meta.url));
const SERIES_WAIT_MS = 180_000;

export interface ClusterCaseResult {
  case: 'cluster-non-fatal';
  nodes: number;
  incidents: number;
  sendSeconds: number;
  peakRssMiB: number;
  heapUsedMiB: number;
  panicDetected: boolean;
  panicDetectMs: number | null;
  /** Events the collector wrote for the OOM kills, and the sum of their series counts. */
  seriesEvents: number;
  seriesCountSum: number;
  /** From the last OOM kill sent until every count was in the API, s. */
  seriesWrittenSeconds: number | null;
  nodeIncidents: number;
}

const mib = (bytes: number): number => Math.round((bytes / 1024 / 1024) * 10) / 10;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** `count` OOM kills in the extended format, each its own record (and so its own incident). */
function oomKills(count: number): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < count; i++) {
    const text = `Memory cgroup out of memory: Killed process ${4000 + i} (stress) total-vm:1053040kB, anon-rss:524388kB, file-rss:0kB`;
    out.push(...formatExtended({ seq: 100 + i, timestampUs: 9_000_000 + i, text, level: 3 }));
  }
  return out;
}

async function sendFrom(address: string, port: number, datagrams: readonly Buffer[]): Promise<void> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind({ address, port: 0 }, resolve));
  for (const d of datagrams) await new Promise<void>((resolve, reject) => socket.send(d, port, '127.0.0.1', (err) => (err ? reject(err) : resolve())));
  socket.close();
}

export async function runClusterCase(opts: { nodes: number; incidents: number; from: 'dist' | 'source'; log: (line: string) => void }): Promise<ClusterCaseResult> {
  const { log } = opts;
  const dir = await mkdtemp(join(tmpdir(), 'lastgasp-abuse-'));
  const cluster = await startCluster({ log: (line) => log(`cluster: ${line}`) });
  try {
    await cluster.installCrds([CRD]);
    const collector = await startBenchCollector({
      from: opts.from,
      kubeconfigPath: cluster.kubeconfigPath,
      dir,
      // Series counts written every 5 s, so the run need not wait out the default 30 s.
      config: { policy: { nonFatal: { seriesRefresh: '5s' } } },
      startTimeoutMs: 120_000,
    });
    try {
      const port = Number(collector.listeners.udp[0]?.split(':').at(-1));
      let result: ClusterCaseResult | null = null;
      await measureRssAtNodes(cluster, collector, opts.nodes, log, async () => {
        const perNode = Math.ceil(opts.incidents / opts.nodes);
        log(`abuse: ${opts.incidents} OOM kills from ${opts.nodes} Nodes (${perNode} each), a panic from ${PANIC_SOURCE} among them`);
        const began = Date.now();
        let sent = 0;
        let panicSentAt = 0;
        for (let i = 0; i < opts.nodes && sent < opts.incidents; i++) {
          const n = Math.min(perNode, opts.incidents - sent);
          await sendFrom(scaleNodeAddress(i), port, oomKills(n));
          sent += n;
          if (panicSentAt === 0 && i >= opts.nodes / 3) {
            panicSentAt = Date.now();
            await sendFrom(PANIC_SOURCE, port, panicDatagrams());
          }
        }
        const sentAt = Date.now();
        const opened = await collector
          .waitForLog('incident opened', 30_000, (e) => e.source === PANIC_SOURCE && e.fatal === true)
          .catch(() => null);
        const events = cluster.kubeConfig.makeApiClient(EventsV1Api);
        let seriesEvents = 0;
        let seriesCountSum = 0;
        let writtenAt: number | null = null;
        const deadline = Date.now() + SERIES_WAIT_MS;
        while (Date.now() < deadline) {
          const list = (await events.listNamespacedEvent({ namespace: 'default' })).items.filter((e) => e.reportingController === 'lastgasp.dev/collector' && e.reason === 'OOMKilling');
          seriesEvents = list.length;
          seriesCountSum = list.reduce((sum, e) => sum + (e.series?.count ?? 1), 0);
          if (seriesCountSum >= sent) {
            writtenAt = Date.now();
            break;
          }
          await sleep(1000);
        }
        log(`abuse: ${seriesEvents} Event series counting ${seriesCountSum} of ${sent} OOM kills`);
        const records = (await cluster.kubeConfig.makeApiClient(CustomObjectsApi).listClusterCustomObject({ group: 'lastgasp.dev', version: 'v1alpha1', plural: 'nodeincidents' })) as { items: unknown[] };
        const memory = await processMemory(collector.pid);
        result = {
          case: 'cluster-non-fatal',
          nodes: opts.nodes,
          incidents: sent,
          sendSeconds: Math.round((sentAt - began) / 100) / 10,
          peakRssMiB: mib(memory.peakRssKiB * 1024),
          heapUsedMiB: mib((await collector.metric('nodejs_heap_size_used_bytes')) ?? 0),
          panicDetected: opened !== null,
          panicDetectMs: opened === null ? null : opened.time - panicSentAt,
          seriesEvents,
          seriesCountSum,
          seriesWrittenSeconds: writtenAt === null ? null : Math.round((writtenAt - sentAt) / 100) / 10,
          nodeIncidents: records.items.length,
        };
        log(`abuse: ${JSON.stringify(result)}`);
      });
      if (result === null) throw new Error('the cluster case did not run');
      return result;
    } finally {
      await collector.stop();
    }
  } finally {
    await cluster.stop();
    await rm(dir, { recursive: true, force: true });
  }
}
