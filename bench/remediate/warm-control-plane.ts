// The test control plane has only just started when the benchmark begins, whereas a production API
// server has served pod status writes and deletes for days. Before the collector starts, the same
// kinds of writes it makes (110 pods failed through pods/status, then deleted with grace period 0,
// all at once) are made once from here, so the first repetition measures a fresh collector against
// a warm API server rather than the API server's own first-use costs. Not timed.
import { CoreV1Api, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { createNode, createPod, type Cluster } from '@lastgasp/testbed/cluster';
import { BENCH_NAMESPACE, NODE_LABEL, inParallel } from './run-rep.js';

const NODE = 'bench-warm-up';

export async function warmControlPlane(cluster: Cluster, pods: number, log: (line: string) => void): Promise<void> {
  const started = performance.now();
  const core = cluster.kubeConfig.makeApiClient(CoreV1Api);
  const strategic = setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch);
  await createNode(cluster, NODE, { kwok: false });
  const names = Array.from({ length: pods }, (_, i) => `${NODE}-p${i}`);
  await inParallel(names, 20, (name) => createPod(cluster, { namespace: BENCH_NAMESPACE, name, nodeName: NODE, labels: { [NODE_LABEL]: NODE } }));
  await Promise.all(
    names.map(async (name) => {
      const condition = { type: 'DisruptionTarget', status: 'True', reason: 'WarmUp', message: 'benchmark warm-up', lastTransitionTime: new Date() };
      await core.patchNamespacedPodStatus(
        { name, namespace: BENCH_NAMESPACE, body: { metadata: { annotations: { 'lastgasp.bench/warm-up': 'true' } }, status: { phase: 'Failed', conditions: [condition] } } },
        strategic,
      );
      await core.deleteNamespacedPod({ name, namespace: BENCH_NAMESPACE, gracePeriodSeconds: 0 });
    }),
  );
  await core.deleteNode({ name: NODE });
  log(`control plane warmed up with ${pods} pod status writes and deletes (${Math.round(performance.now() - started)} ms, not timed)`);
}
