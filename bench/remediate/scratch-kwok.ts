import { CoordinationV1Api, CoreV1Api, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { createNode, startCluster, waitFor } from '@lastgasp/testbed/cluster';
const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const c = await startCluster({ log: (l) => console.log(l) });
try {
  const core = c.kubeConfig.makeApiClient(CoreV1Api);
  const coord = c.kubeConfig.makeApiClient(CoordinationV1Api);
  await createNode(c, 'k1');
  await waitFor('lease', async () => (await coord.readNamespacedLease({ name: 'k1', namespace: 'kube-node-lease' })).spec?.renewTime);
  const l0 = await coord.readNamespacedLease({ name: 'k1', namespace: 'kube-node-lease' });
  console.log('lease', JSON.stringify(l0.spec));
  await core.patchNode({ name: 'k1', body: { metadata: { annotations: { 'kwok.x-k8s.io/node': null } } } }, merge);
  const t = Date.now();
  for (let i = 0; i < 8; i++) {
    await new Promise((r) => setTimeout(r, 5000));
    const l = await coord.readNamespacedLease({ name: 'k1', namespace: 'kube-node-lease' });
    const n = await core.readNode({ name: 'k1' });
    console.log(((Date.now() - t) / 1000).toFixed(0), 'renew', String(l.spec?.renewTime), 'ready', JSON.stringify(n.status?.conditions?.find((x) => x.type === 'Ready')?.lastHeartbeatTime));
  }
} finally {
  await c.stop();
}
