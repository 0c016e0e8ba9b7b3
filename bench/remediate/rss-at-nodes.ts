// The collector's resident memory with many Nodes in the cluster: kwok Nodes created in parallel
// batches, made Ready by kwok; measured once the collector's Node cache (its `lastgasp_nodes_known`
// gauge) holds every Node of the cluster, after a short settle.
import { CoreV1Api, type V1Node } from '@kubernetes/client-node';
import { createNode, type Cluster } from '@lastgasp/testbed/cluster';
import type { CollectorProcess } from '@lastgasp/testbed/collector';
import { processMemory } from '../ingest/process-memory.js';
import { inParallel } from './run-rep.js';

const SCALE_LABEL = 'lastgasp.bench/scale';
const CREATE_CONCURRENCY = 25;
const SYNC_TIMEOUT_MS = 600_000;
const SETTLE_MS = 10_000;
const SAMPLES = 5;
const SAMPLE_INTERVAL_MS = 2_000;

export interface RssAtNodes {
  nodes: number;
  /** Highest VmRSS of the samples, MiB. */
  rssMiB: number;
  /** VmHWM: the process's peak RSS so far, MiB. */
  peakMiB: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const mib = (kib: number) => Math.round((kib / 1024) * 10) / 10;

/** A unique InternalIP per index (127.200.0.0/16: loopback, so the collector's probes stay on this machine). */
export function scaleNodeAddress(i: number): string {
  return `127.200.${Math.floor(i / 250)}.${(i % 250) + 1}`;
}

/** `inspect` runs after the samples, while the Nodes still exist (e.g. a heap snapshot). */
export async function measureRssAtNodes(
  cluster: Cluster,
  collector: CollectorProcess,
  count: number,
  log: (line: string) => void,
  inspect?: () => Promise<void>,
): Promise<RssAtNodes> {
  const core = cluster.kubeConfig.makeApiClient(CoreV1Api);
  const before = await processMemory(collector.pid);
  log(`rss: collector VmRSS ${mib(before.rssKiB)} MiB before adding nodes; creating ${count} kwok Nodes`);
  const began = Date.now();
  let created = 0;
  const indexes = Array.from({ length: count }, (_, i) => i);
  await inParallel(indexes, CREATE_CONCURRENCY, async (i) => {
    await createNode(cluster, `bench-scale-${String(i).padStart(4, '0')}`, {
      addresses: [{ type: 'InternalIP', address: scaleNodeAddress(i) }],
      labels: { [SCALE_LABEL]: 'true', 'topology.kubernetes.io/zone': `zone-${i % 3}`, 'node.kubernetes.io/instance-type': 'bench.large' },
    });
    if (++created % 250 === 0) log(`rss: ${created}/${count} Nodes created (${((Date.now() - began) / 1000).toFixed(0)} s)`);
  });
  const deadline = Date.now() + SYNC_TIMEOUT_MS;
  for (;;) {
    const [all, known] = await Promise.all([core.listNode({ resourceVersion: '0' }), collector.metric('lastgasp_nodes_known')]);
    const scale = all.items.filter((n) => n.metadata?.labels?.[SCALE_LABEL] === 'true');
    // kwok made a Node Ready once it has a Ready condition. Without kwok node leases the node lifecycle
    // controller marks a Node Unknown 50 s after kwok's last status write and kwok makes it Ready again,
    // so "all Ready at the same moment" need never happen.
    const readyCondition = (n: V1Node) => n.status?.conditions?.find((c) => c.type === 'Ready');
    const initialised = scale.filter((n) => readyCondition(n) !== undefined).length;
    const ready = scale.filter((n) => readyCondition(n)?.status === 'True').length;
    const line = `${scale.length} created, ${initialised} made Ready by kwok (${ready} Ready now); collector caches ${String(known)} of ${all.items.length} Nodes`;
    if (initialised === count && known === all.items.length) {
      log(`rss: ${line} (${((Date.now() - began) / 1000).toFixed(0)} s)`);
      break;
    }
    if (Date.now() > deadline) throw new Error(`rss: timed out waiting for the Nodes: ${line}`);
    log(`rss: ${line}`);
    await sleep(5_000);
  }
  await sleep(SETTLE_MS);
  let rssKiB = 0;
  let peakKiB = 0;
  for (let i = 0; i < SAMPLES; i++) {
    const m = await processMemory(collector.pid);
    rssKiB = Math.max(rssKiB, m.rssKiB);
    peakKiB = m.peakRssKiB;
    if (i < SAMPLES - 1) await sleep(SAMPLE_INTERVAL_MS);
  }
  log(`rss: collector VmRSS ${mib(rssKiB)} MiB with ${count} more Nodes (peak ${mib(peakKiB)} MiB)`);
  await inspect?.();
  log(`rss: deleting the ${count} Nodes`);
  await core.deleteCollectionNode({ labelSelector: `${SCALE_LABEL}=true` });
  return { nodes: count, rssMiB: mib(rssKiB), peakMiB: mib(peakKiB) };
}
