// What Kubernetes alone does for a node that stops heartbeating, with the controller-manager's default
// timings: the node lifecycle controller marks it unreachable after node-monitor-grace-period and
// taints it NoExecute; the taint eviction controller deletes its pods once the 300 s default
// tolerations (added by the DefaultTolerationSeconds admission plugin) run out.
//
// kwok heartbeats for the Nodes it runs the way a kubelet does (a Lease in kube-node-lease, renewed
// every 10 s). The node dies as a crashed one does: its heartbeat stops (`stopNodeHeartbeat`), and kwok
// no longer answers a not-Ready status by making it Ready again. The clock starts at the Lease's last
// renewal. Three bystander nodes keep heartbeating: with every node not Ready the controller assumes
// a control-plane network problem and evicts nothing.
import { CoreV1Api, type V1Node, type V1Pod } from '@kubernetes/client-node';
import { createNode, createPod, stopNodeHeartbeat, type Cluster } from '@lastgasp/testbed/cluster';
import { BENCH_NAMESPACE, NODE_LABEL, inParallel } from './run-rep.js';
import { startWatch } from './watch-stream.js';

const NODE = 'bench-baseline';
const BYSTANDERS = ['bench-bystander-1', 'bench-bystander-2', 'bench-bystander-3'];
const SETUP_TIMEOUT_MS = 300_000;
/** Default grace 50 s + eviction 300 s is about 6 min; allow for a slow controller-manager. */
const EVICTION_TIMEOUT_MS = 15 * 60_000;
const PROGRESS_INTERVAL_MS = 30_000;

export interface BaselineContext {
  cluster: Cluster;
  pods: number;
  log: (line: string) => void;
}

export interface Baseline {
  /** Resolves with ms from the last heartbeat until every pod was marked for deletion or gone. */
  result: Promise<number>;
  stop(): void;
}

interface PodState {
  tolerationSeconds: string;
  running: boolean;
  doneAt: number | null;
}

function defaultTolerations(pod: V1Pod): string {
  return (pod.spec?.tolerations ?? [])
    .filter((t) => t.effect === 'NoExecute')
    .map((t) => `${t.key ?? '*'}=${String(t.tolerationSeconds)}s`)
    .sort()
    .join(',');
}

function nodeSummary(node: V1Node | null): string {
  if (node === null) return 'Node gone';
  const ready = node.status?.conditions?.find((c) => c.type === 'Ready');
  const taints = (node.spec?.taints ?? []).map((t) => `${t.key}:${t.effect}`).join(',') || 'none';
  return `Ready=${ready?.status ?? '?'} (${ready?.reason ?? ''}), taints ${taints}`;
}

async function sleep(ms: number, signal: AbortSignal): Promise<void> {
  await new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(t);
      resolve();
    }, { once: true });
  });
}

/** Prepares the node and its pods (awaited), then returns while the wait for eviction runs on. */
export async function startBaseline(ctx: BaselineContext): Promise<Baseline> {
  const kc = ctx.cluster.kubeConfig;
  const core = kc.makeApiClient(CoreV1Api);
  const abort = new AbortController();
  for (const name of [...BYSTANDERS, NODE]) await createNode(ctx.cluster, name);

  const pods = new Map<string, PodState>();
  let node: V1Node | null = null;
  let diedAt = 0;
  let settle: { resolve: (ms: number) => void; reject: (err: Error) => void } = { resolve: () => undefined, reject: () => undefined };
  const result = new Promise<number>((resolve, reject) => (settle = { resolve, reject }));
  const check = (): void => {
    if (diedAt === 0 || pods.size !== ctx.pods) return;
    const times = [...pods.values()].map((p) => p.doneAt);
    const done = times.filter((t): t is number => t !== null);
    if (done.length === times.length) settle.resolve(Math.max(...done) - diedAt);
  };
  const rv = (await core.listNamespacedPod({ namespace: BENCH_NAMESPACE, limit: 1 })).metadata?.resourceVersion ?? '0';
  const podWatch = await startWatch(kc, `/api/v1/namespaces/${BENCH_NAMESPACE}/pods`, { labelSelector: `${NODE_LABEL}=${NODE}`, resourceVersion: rv }, (type, obj, at) => {
    const pod = obj as V1Pod;
    const name = pod.metadata?.name ?? '';
    const state = pods.get(name) ?? { tolerationSeconds: defaultTolerations(pod), running: false, doneAt: null };
    pods.set(name, state);
    state.running = pod.status?.phase === 'Running';
    if (state.doneAt === null && diedAt !== 0 && (type === 'DELETED' || pod.metadata?.deletionTimestamp !== undefined)) state.doneAt = at;
    check();
  });
  const nodeRv = (await core.listNode({ limit: 1 })).metadata?.resourceVersion ?? '0';
  const nodeWatch = await startWatch(kc, '/api/v1/nodes', { fieldSelector: `metadata.name=${NODE}`, resourceVersion: nodeRv }, (type, obj) => {
    node = type === 'DELETED' ? null : (obj as V1Node);
  });
  for (const w of [podWatch, nodeWatch]) {
    void w.ended.then((err) => {
      if (err !== null) settle.reject(err);
    });
  }
  const stop = (): void => {
    abort.abort();
    podWatch.stop();
    nodeWatch.stop();
  };

  try {
    const names = Array.from({ length: ctx.pods }, (_, i) => `${NODE}-p${i}`);
    await inParallel(names, 10, (name) => createPod(ctx.cluster, { namespace: BENCH_NAMESPACE, name, nodeName: NODE, labels: { [NODE_LABEL]: NODE } }));
    const deadline = Date.now() + SETUP_TIMEOUT_MS;
    while ([...pods.values()].filter((p) => p.running).length < ctx.pods) {
      if (Date.now() > deadline) throw new Error(`baseline: pods not Running after ${SETUP_TIMEOUT_MS / 1000} s`);
      await sleep(500, abort.signal);
    }
    const tolerations = [...new Set([...pods.values()].map((p) => p.tolerationSeconds))].join(' | ');
    ctx.log(`baseline: ${ctx.pods} pods Running on ${NODE}; NoExecute tolerations added at admission: ${tolerations || 'none'}`);
    const lastBeat = await stopNodeHeartbeat(ctx.cluster, NODE);
    diedAt = performance.now() - (Date.now() - lastBeat);
    ctx.log(`baseline: ${NODE} stopped heartbeating at ${new Date(lastBeat).toISOString()}; waiting for Kubernetes to evict its pods (about 6 min)`);
  } catch (err) {
    stop();
    throw err;
  }

  const timeout = setTimeout(() => settle.reject(new Error(`baseline: pods not evicted after ${EVICTION_TIMEOUT_MS / 60_000} min; ${nodeSummary(node)}`)), EVICTION_TIMEOUT_MS);
  const progress = setInterval(() => {
    const marked = [...pods.values()].filter((p) => p.doneAt !== null).length;
    ctx.log(`baseline: ${((performance.now() - diedAt) / 1000).toFixed(0)} s since the last heartbeat; ${nodeSummary(node)}; ${marked}/${ctx.pods} pods marked for deletion`);
  }, PROGRESS_INTERVAL_MS);
  void result.then(
    () => undefined,
    () => undefined,
  ).finally(() => {
    clearTimeout(timeout);
    clearInterval(progress);
    stop();
  });
  check();
  return { result, stop };
}
