// Objects tests create over and over: namespaces that can hold pods, kwok-managed Nodes, pods bound to a Node.
import { isIP } from 'node:net';
import { assertRoutesStayLocal } from './route-guard.js';
import { CoreV1Api } from '@kubernetes/client-node';
import type { V1Node, V1NodeAddress, V1OwnerReference, V1Pod, V1Taint } from '@kubernetes/client-node';
import { createIfMissing } from './api-errors.js';
import { KWOK_NODE_ANNOTATION, KWOK_NODE_ANNOTATION_VALUE } from './components.js';
import type { Cluster } from './types.js';

/** What these helpers need of a cluster; a full Cluster fits. */
export type ClusterClient = Pick<Cluster, 'kubeConfig'>;

export interface NodeOptions {
  /** Reported in `status.addresses`; kwok keeps them. Without them kwok reports its default node IP. */
  addresses?: V1NodeAddress[];
  taints?: V1Taint[];
  labels?: Record<string, string>;
  /** Managed by kwok (becomes Ready, holds a Lease, runs its pods). Default true. */
  kwok?: boolean;
  /**
   * The network namespace (created by the test) the collector probing this Node runs in; its addresses
   * are checked to stay local there. Default: this process's own namespace.
   */
  netns?: string;
}

export interface PodOptions {
  /** Default `default`. */
  namespace?: string;
  name: string;
  /** Bound directly, without the scheduler. */
  nodeName: string;
  labels?: Record<string, string>;
  ownerReferences?: V1OwnerReference[];
  /** Default: the namespace's `default` ServiceAccount. */
  serviceAccountName?: string;
}

/** Image of test pods; never pulled (kwok runs nothing), so a name that cannot resolve is right. */
export const FAKE_IMAGE = 'registry.invalid/lastgasp/fake:1';

export function nodeManifest(name: string, opts: NodeOptions = {}): V1Node {
  const kwok = opts.kwok ?? true;
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      labels: { 'kubernetes.io/hostname': name, ...(kwok ? { type: 'kwok' } : {}), ...opts.labels },
      annotations: kwok ? { [KWOK_NODE_ANNOTATION]: KWOK_NODE_ANNOTATION_VALUE } : {},
    },
    spec: { taints: opts.taints },
    status: { addresses: opts.addresses },
  };
}

export function podManifest(opts: PodOptions): V1Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: opts.name,
      namespace: opts.namespace ?? 'default',
      labels: opts.labels,
      ownerReferences: opts.ownerReferences,
    },
    spec: {
      nodeName: opts.nodeName,
      serviceAccountName: opts.serviceAccountName,
      // No kubelet mounts anything; without this the pod would need a token volume projected.
      automountServiceAccountToken: false,
      containers: [{ name: 'main', image: FAKE_IMAGE }],
    },
  };
}

/**
 * Creates a Node and returns it as stored; does not wait for Ready. The apiserver keeps `status` on
 * create (kubelets register that way), so the addresses are there from the first moment, and kwok's
 * node stages keep addresses that are present.
 */
export async function createNode(c: ClusterClient, name: string, opts: NodeOptions = {}): Promise<V1Node> {
  // The collector probes Node addresses (proof of death, its reachability self-check): none may route
  // off this machine. Loopback is local by definition; anything else is checked against the routes.
  const other = (opts.addresses ?? [])
    .filter((a) => (a.type === 'InternalIP' || a.type === 'ExternalIP') && isIP(a.address) !== 0)
    .map((a) => a.address)
    .filter((a) => !a.startsWith('127.') && a !== '::1');
  if (other.length > 0) await assertRoutesStayLocal(other, opts.netns);
  const core = c.kubeConfig.makeApiClient(CoreV1Api);
  return core.createNode({ body: nodeManifest(name, opts) });
}

/** Creates the namespace and its `default` ServiceAccount if missing, so pods can be created at once. */
export async function ensureNamespace(c: ClusterClient, name: string): Promise<void> {
  const core = c.kubeConfig.makeApiClient(CoreV1Api);
  await createIfMissing(() => core.createNamespace({ body: { metadata: { name } } }));
  // The controller-manager would create it too, but only later and only when it runs.
  await createIfMissing(() =>
    core.createNamespacedServiceAccount({ namespace: name, body: { metadata: { name: 'default', namespace: name } } }),
  );
}

/** Creates a pod bound to `nodeName` (namespace created if missing). */
export async function createPod(c: ClusterClient, opts: PodOptions): Promise<V1Pod> {
  const namespace = opts.namespace ?? 'default';
  await ensureNamespace(c, namespace);
  const core = c.kubeConfig.makeApiClient(CoreV1Api);
  return core.createNamespacedPod({ namespace, body: podManifest(opts) });
}
