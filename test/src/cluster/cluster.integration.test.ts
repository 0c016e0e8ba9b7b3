// Proves the test bed is a real control plane: the real scheduler places pods on kwok nodes, the real
// authorizer enforces RBAC, the real controller-manager collects pods of deleted Nodes.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AppsV1Api, CoreV1Api, CustomObjectsApi, KubeConfig, RbacAuthorizationV1Api } from '@kubernetes/client-node';
import type { V1Pod } from '@kubernetes/client-node';
import { expect } from 'chai';
import { apiStatus } from './api-errors.js';
import { createNode, createPod, ensureNamespace } from './objects.js';
import { useCluster } from './mocha.js';
import { waitFor } from '../testing/wait-for.js';

/** Waits on real controllers on a possibly busy machine: generous. */
const WAIT_MS = 90_000;

function isRunning(pod: V1Pod): boolean {
  return pod.status?.phase === 'Running';
}

/** Ends one waitFor probe as "not yet", leaving what it saw for the timeout message. */
function notYet(seen: unknown): never {
  throw new Error(`not yet: ${typeof seen === 'string' ? seen : JSON.stringify(seen)}`);
}

function summary(pods: V1Pod[]): string {
  return JSON.stringify(pods.map((p) => `${p.metadata?.name ?? '?'}@${p.spec?.nodeName ?? '-'}:${p.status?.phase ?? '-'}`));
}

async function statusOf(call: () => Promise<unknown>): Promise<number> {
  try {
    await call();
    return 200;
  } catch (err) {
    const status = apiStatus(err);
    if (status === undefined) throw err;
    return status;
  }
}

describe('test cluster (real control plane)', function () {
  const cluster = useCluster({ log: (line) => console.log(`      [cluster] ${line}`) });
  let core: CoreV1Api;

  before(async function () {
    this.timeout(WAIT_MS + 30_000);
    core = cluster().kubeConfig.makeApiClient(CoreV1Api);
    await Promise.all(['kwok-a', 'kwok-b'].map((name) => createNode(cluster(), name)));
    await waitFor(
      'kwok nodes to be Ready',
      async () => {
        const nodes = (await core.listNode()).items;
        const ready = nodes.filter((n) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
        return ready.length === 2 ? ready : false;
      },
      { timeoutMs: WAIT_MS },
    );
  });

  it('a kwok node created with addresses keeps exactly those addresses once Ready', async function () {
    this.timeout(WAIT_MS + 10_000);
    const addresses = [
      { type: 'InternalIP', address: '127.200.0.7' },
      { type: 'Hostname', address: 'addr-node' },
    ];
    await createNode(cluster(), 'addr-node', { addresses });
    const node = await waitFor(
      'addr-node to be Ready',
      async () => {
        const n = await core.readNode({ name: 'addr-node' });
        return n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ? n : notYet(n.status);
      },
      { timeoutMs: WAIT_MS },
    );
    expect(node.status?.addresses).to.deep.equal(addresses);
  });

  it('(a) a Deployment of 3 replicas is scheduled by kube-scheduler onto kwok nodes and reaches 3 Running pods', async function () {
    this.timeout(WAIT_MS + 10_000);
    const namespace = 'deploy-test';
    await ensureNamespace(cluster(), namespace);
    const labels = { app: 'web' };
    await cluster()
      .kubeConfig.makeApiClient(AppsV1Api)
      .createNamespacedDeployment({
        namespace,
        body: {
          metadata: { name: 'web', namespace },
          spec: {
            replicas: 3,
            selector: { matchLabels: labels },
            template: {
              metadata: { labels },
              spec: {
                automountServiceAccountToken: false,
                nodeSelector: { type: 'kwok' },
                containers: [{ name: 'web', image: 'registry.invalid/web:1' }],
              },
            },
          },
        },
      });
    const pods = await waitFor(
      '3 Running pods of Deployment web',
      async () => {
        const items = (await core.listNamespacedPod({ namespace, labelSelector: 'app=web' })).items;
        return items.length === 3 && items.every(isRunning) ? items : notYet(summary(items));
      },
      { timeoutMs: WAIT_MS },
    );
    for (const pod of pods) expect(['kwok-a', 'kwok-b', 'addr-node']).to.include(pod.spec?.nodeName);
  });

  describe('(b) RBAC through the real authorizer, as a ServiceAccount allowed only `get pods` in its namespace', () => {
    const namespace = 'rbac-test';
    let asReader: CoreV1Api;

    before(async function () {
      this.timeout(WAIT_MS);
      const c = cluster();
      await ensureNamespace(c, namespace);
      await ensureNamespace(c, 'elsewhere');
      await createPod(c, { namespace, name: 'target', nodeName: 'kwok-a' });
      await createPod(c, { namespace: 'elsewhere', name: 'other', nodeName: 'kwok-a' });
      const rbac = c.kubeConfig.makeApiClient(RbacAuthorizationV1Api);
      await rbac.createNamespacedRole({
        namespace,
        body: { metadata: { name: 'get-pods' }, rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }] },
      });
      await rbac.createNamespacedRoleBinding({
        namespace,
        body: {
          metadata: { name: 'reader-get-pods' },
          roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'get-pods' },
          subjects: [{ kind: 'ServiceAccount', name: 'reader', namespace }],
        },
      });
      const kc = new KubeConfig();
      kc.loadFromFile(await c.serviceAccountKubeconfig(namespace, 'reader'));
      asReader = kc.makeApiClient(CoreV1Api);
      // The authorizer learns of new bindings through its informers, a moment after they are stored.
      await waitFor('the binding to take effect', async () => (await statusOf(() => asReader.readNamespacedPod({ namespace, name: 'target' }))) === 200, {
        timeoutMs: 30_000,
      });
    });

    const requests: { name: string; call: () => Promise<unknown>; want: number }[] = [
      { name: 'list Nodes', call: () => asReader.listNode(), want: 403 },
      { name: `get pod ${namespace}/target`, call: () => asReader.readNamespacedPod({ namespace, name: 'target' }), want: 200 },
      { name: `list pods in ${namespace}`, call: () => asReader.listNamespacedPod({ namespace }), want: 403 },
      { name: 'get pod elsewhere/other', call: () => asReader.readNamespacedPod({ namespace: 'elsewhere', name: 'other' }), want: 403 },
      { name: `delete pod ${namespace}/target`, call: () => asReader.deleteNamespacedPod({ namespace, name: 'target' }), want: 403 },
    ];
    for (const { name, call, want } of requests) {
      it(`${name} → ${want}`, async () => {
        expect(await statusOf(call)).to.equal(want);
      });
    }
  });

  it('(c) deleting a Node makes the controller-manager (pod GC) delete its pods', async function () {
    // Pod GC waits 40 s after a Node disappears before it collects that Node's pods, and runs every 20 s.
    this.timeout(3 * WAIT_MS);
    const c = cluster();
    const namespace = 'gc-test';
    await createNode(c, 'doomed');
    await Promise.all(['p1', 'p2'].map((name) => createPod(c, { namespace, name, nodeName: 'doomed' })));
    await waitFor(
      'pods on doomed to be Running',
      async () => {
        const items = (await core.listNamespacedPod({ namespace })).items;
        return items.length === 2 && items.every(isRunning) ? true : notYet(summary(items));
      },
      { timeoutMs: WAIT_MS },
    );
    await core.deleteNode({ name: 'doomed' });
    await waitFor(
      'pods of the deleted node to be deleted',
      async () => {
        const items = (await core.listNamespacedPod({ namespace })).items;
        return items.length === 0 ? true : notYet(summary(items));
      },
      { timeoutMs: 2 * WAIT_MS },
    );
  });

  it('installCrds: a CRD file is established and its kind can be created', async function () {
    this.timeout(WAIT_MS);
    const c = cluster();
    const path = join(c.dir, 'widgets-crd.yaml');
    await writeFile(
      path,
      `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.test.lastgasp.dev}
spec:
  group: test.lastgasp.dev
  names: {kind: Widget, plural: widgets, singular: widget}
  scope: Cluster
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec: {type: object, x-kubernetes-preserve-unknown-fields: true}
`,
    );
    await c.installCrds([path]);
    const custom = c.kubeConfig.makeApiClient(CustomObjectsApi);
    await custom.createClusterCustomObject({
      group: 'test.lastgasp.dev',
      version: 'v1',
      plural: 'widgets',
      body: { apiVersion: 'test.lastgasp.dev/v1', kind: 'Widget', metadata: { name: 'w1' }, spec: { free: { form: 1 } } },
    });
    const got = (await custom.getClusterCustomObject({ group: 'test.lastgasp.dev', version: 'v1', plural: 'widgets', name: 'w1' })) as {
      spec?: unknown;
    };
    expect(got.spec).to.deep.equal({ free: { form: 1 } });
  });

  it('stopApiServer refuses connections; startApiServer brings the API back with its data', async function () {
    this.timeout(2 * WAIT_MS);
    const c = cluster();
    await c.stopApiServer();
    const err: unknown = await core.readNode({ name: 'kwok-a' }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err, 'a request while the apiserver is down').to.be.instanceOf(Error);
    expect(apiStatus(err)).to.equal(undefined);
    await c.startApiServer();
    const node = await core.readNode({ name: 'kwok-a' });
    expect(node.metadata?.name).to.equal('kwok-a');
  });
});
