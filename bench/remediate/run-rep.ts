// One repetition: a new kwok Node whose InternalIP comes from the node address pool (it answers a probe
// while alive), `pods` pods bound to it and Running; then the node dies — its address falls silent —
// and its last gasp goes out from that address; the pod and Node watches time the collector's
// remediation.
import { CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import { annotationKey, DEFAULT_ANNOTATION_PREFIX } from '@lastgasp/proto/contract';
import { createNode, createPod, stopNodeHeartbeat, type Cluster, type NodeAddressPool } from '@lastgasp/testbed/cluster';
import type { CollectorProcess } from '@lastgasp/testbed/collector';
import { waitFor } from '@lastgasp/testbed/testing';
import { processCpuSeconds } from '../ingest/process-cpu.js';
import { emptyMarks, observePod, summarise, type PodLike, type PodMarks, type RepResult } from './rep-timings.js';
import { sendPanic } from './send-panic.js';
import { startWatch } from './watch-stream.js';

export const BENCH_NAMESPACE = 'bench';
export const NODE_LABEL = 'lastgasp.bench/node';
const REASON_ANNOTATION = annotationKey(DEFAULT_ANNOTATION_PREFIX, 'reason-code');
/** Pods created at once; the apiserver of a loaded 2-core machine answers this many without timeouts. */
const CREATE_CONCURRENCY = 20;
const SETUP_TIMEOUT_MS = 300_000;
const REMEDIATION_TIMEOUT_MS = 120_000;

export interface RepContext {
  cluster: Cluster;
  collector: CollectorProcess;
  /** Where the Nodes' addresses live; the collector listens on `collectorAddress` on its host side. */
  pool: NodeAddressPool;
  collectorAddress: string;
  /** With proof of death on: wait until the collector's self-check heard the new Node (else silence proves nothing). */
  waitSelfCheck: boolean;
  pods: number;
  log: (line: string) => void;
}

/** Ready Nodes the collector's self-check has not probed yet (lastgasp_reachability_nodes{state="unchecked"}). */
async function uncheckedNodes(collector: CollectorProcess): Promise<number> {
  const text = await (await fetch(`http://${collector.listeners.http}/metrics`)).text();
  const m = /^lastgasp_reachability_nodes\{state="unchecked"\} (\d+)$/m.exec(text);
  return m === null ? Number.NaN : Number(m[1]);
}

export async function inParallel<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await fn(items[next++] as T);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

async function collectionVersion(kc: KubeConfig, namespace: string | null): Promise<string> {
  const core = kc.makeApiClient(CoreV1Api);
  const list = namespace === null ? await core.listNode({ limit: 1 }) : await core.listNamespacedPod({ namespace, limit: 1 });
  const rv = list.metadata?.resourceVersion;
  if (rv === undefined) throw new Error('a list returned no resourceVersion');
  return rv;
}

interface Until {
  promise: Promise<void>;
  /** Re-evaluates the condition; called after every watch event. */
  check(): void;
  fail(err: Error): void;
}

/** Resolves when `done()` holds after an event; rejects at the deadline or on `fail`. */
function until(description: string, done: () => boolean, timeoutMs: number, state: () => string): Until {
  let resolve: () => void = () => undefined;
  let reject: (err: Error) => void = () => undefined;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  const timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs / 1000} s waiting for ${description}; last seen: ${state()}`)), timeoutMs);
  void promise.then(
    () => clearTimeout(timer),
    () => clearTimeout(timer),
  );
  return {
    promise,
    check() {
      if (done()) resolve();
    },
    fail: reject,
  };
}

/** Waits (by polling, outside any measured interval) until the collector's Node cache holds every Node. */
async function collectorKnowsAllNodes(ctx: RepContext): Promise<void> {
  const core = ctx.cluster.kubeConfig.makeApiClient(CoreV1Api);
  let seen = '';
  await waitFor(
    "the collector's Node cache to catch up",
    async () => {
      const [nodes, known] = await Promise.all([core.listNode(), ctx.collector.metric('lastgasp_nodes_known')]);
      seen = `collector knows ${String(known)}, cluster has ${nodes.items.length}`;
      return known === nodes.items.length;
    },
    { timeoutMs: SETUP_TIMEOUT_MS, intervalMs: 200, describe: () => Promise.resolve(seen) },
  );
}

export async function runRep(ctx: RepContext, rep: number, node: string): Promise<RepResult> {
  const kc = ctx.cluster.kubeConfig;
  const { ipv4: ip } = ctx.pool.allocate();
  const marks = new Map<string, PodMarks>();
  let nodeGoneAt: number | null = null;
  const describe = () => {
    const all = [...marks.values()];
    const count = (f: (m: PodMarks) => boolean) => all.filter(f).length;
    return `${all.length} pods seen, ${count((m) => m.running)} Running, ${count((m) => m.annotatedAt !== null)} annotated, ${count((m) => m.disruptedAt !== null)} with DisruptionTarget, ${count((m) => m.goneAt !== null)} gone; node gone: ${nodeGoneAt !== null}`;
  };
  const running = until(`${ctx.pods} pods Running on ${node}`, () => marks.size === ctx.pods && [...marks.values()].every((m) => m.running), SETUP_TIMEOUT_MS, describe);
  const finished = until(
    `every pod and the Node ${node} gone`,
    () => nodeGoneAt !== null && marks.size === ctx.pods && [...marks.values()].every((m) => m.goneAt !== null),
    REMEDIATION_TIMEOUT_MS,
    describe,
  );
  void finished.promise.catch(() => undefined);
  const [podRv, nodeRv] = await Promise.all([collectionVersion(kc, BENCH_NAMESPACE), collectionVersion(kc, null)]);
  const podWatch = await startWatch(
    kc,
    `/api/v1/namespaces/${BENCH_NAMESPACE}/pods`,
    { labelSelector: `${NODE_LABEL}=${node}`, resourceVersion: podRv },
    (type, obj, at) => {
      const pod = obj as PodLike;
      const name = pod.metadata?.name ?? '';
      const m = marks.get(name) ?? emptyMarks();
      marks.set(name, m);
      observePod(m, type, pod, at, REASON_ANNOTATION);
      running.check();
      finished.check();
    },
  );
  const nodeWatch = await startWatch(kc, '/api/v1/nodes', { fieldSelector: `metadata.name=${node}`, resourceVersion: nodeRv }, (type, _obj, at) => {
    if (type === 'DELETED') nodeGoneAt = at;
    finished.check();
  });
  const watches = [podWatch, nodeWatch];
  for (const w of watches) {
    void w.ended.then((err) => {
      if (err === null) return;
      running.fail(err);
      finished.fail(err);
    });
  }
  try {
    await createNode(ctx.cluster, node, { addresses: [{ type: 'InternalIP', address: ip }] });
    const names = Array.from({ length: ctx.pods }, (_, i) => `${node}-p${i}`);
    await inParallel(names, CREATE_CONCURRENCY, (name) =>
      createPod(ctx.cluster, { namespace: BENCH_NAMESPACE, name, nodeName: node, labels: { [NODE_LABEL]: node } }),
    );
    await running.promise;
    await collectorKnowsAllNodes(ctx);
    if (ctx.waitSelfCheck) {
      await waitFor("the collector's self-check to hear the new Node", async () => (await uncheckedNodes(ctx.collector)) === 0, { timeoutMs: SETUP_TIMEOUT_MS, intervalMs: 100 });
    }
    // The node dies as a panicked node does: no more heartbeats, and nothing on it writes any more
    // (kwok no longer runs a Node whose Lease it does not hold; left running, it would answer every
    // pod the collector fails with a status write of its own).
    await stopNodeHeartbeat(ctx.cluster, node);
    ctx.log(`rep ${rep}: ${ctx.pods} pods Running on ${node} (${ip}); sending the panic`);
    const cpuBefore = await processCpuSeconds(ctx.collector.pid);
    await ctx.pool.kill(ip);
    const sentAt = await sendPanic(ctx.pool.netns, ip, ctx.collectorAddress, ctx.collector.udpPort, rep * 100);
    await finished.promise;
    const cpuMs = Math.round((await processCpuSeconds(ctx.collector.pid) - cpuBefore) * 1000);
    ctx.log(`rep ${rep}: the collector used ${cpuMs} ms of CPU from the panic until the Node was gone (${Math.round(performance.now() - sentAt)} ms)`);
    const result = summarise(marks, nodeGoneAt, sentAt);
    if (result instanceof Error) throw result;
    return result;
  } finally {
    for (const w of watches) w.stop();
  }
}
