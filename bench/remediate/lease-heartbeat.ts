// Node heartbeats the way a kubelet sends them: a Lease in `kube-node-lease` named after the Node,
// renewed every 10 s. The test cluster's kwok runs without node leases and refreshes node status only
// every 10–20 min, so without this the node lifecycle controller would mark the benchmark's nodes
// NotReady after its grace period and kwok would flip them back (flapping). Stopping a node's
// heartbeat is how the baseline makes a node die.
import { CoordinationV1Api, PatchStrategy, V1MicroTime, setHeaderOptions, type KubeConfig } from '@kubernetes/client-node';
import { apiStatus } from '@lastgasp/testbed/cluster';

const NAMESPACE = 'kube-node-lease';
/** What a kubelet uses: renew every duration/4. */
const LEASE_DURATION_SECONDS = 40;
const RENEW_INTERVAL_MS = 10_000;
const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

export interface LeaseHeartbeat {
  /** Creates (or takes over) the node's Lease and renews it until `stop`. */
  start(node: string): Promise<void>;
  /** Renews once more (the last heartbeat), then never again; resolves with that renewal's time (ms epoch). */
  stop(node: string): Promise<number>;
  /** Stops every heartbeat and deletes the Leases. */
  close(): Promise<void>;
}

export function createLeaseHeartbeat(kc: KubeConfig, onError: (node: string, err: unknown) => void): LeaseHeartbeat {
  const api = kc.makeApiClient(CoordinationV1Api);
  const timers = new Map<string, NodeJS.Timeout>();
  const leases = new Set<string>();
  const renew = async (node: string): Promise<number> => {
    const now = Date.now();
    await api.patchNamespacedLease(
      { name: node, namespace: NAMESPACE, body: { spec: { holderIdentity: node, renewTime: new V1MicroTime(now) } } },
      merge,
    );
    return now;
  };
  const create = async (node: string): Promise<void> => {
    try {
      await api.createNamespacedLease({
        namespace: NAMESPACE,
        body: {
          metadata: { name: node, namespace: NAMESPACE },
          spec: { holderIdentity: node, leaseDurationSeconds: LEASE_DURATION_SECONDS, renewTime: new V1MicroTime(Date.now()) },
        },
      });
    } catch (err) {
      if (apiStatus(err) !== 409) throw err;
      await renew(node);
    }
  };
  const halt = (node: string): void => {
    clearInterval(timers.get(node));
    timers.delete(node);
  };
  return {
    async start(node) {
      leases.add(node);
      await create(node);
      halt(node);
      timers.set(
        node,
        setInterval(() => {
          renew(node).catch((err: unknown) => onError(node, err));
        }, RENEW_INTERVAL_MS),
      );
    },
    async stop(node) {
      halt(node);
      return renew(node);
    },
    async close() {
      for (const node of [...timers.keys()]) halt(node);
      const nodes = [...leases];
      leases.clear();
      await Promise.all(
        nodes.map((name) =>
          api.deleteNamespacedLease({ name, namespace: NAMESPACE }).catch((err: unknown) => {
            if (apiStatus(err) !== 404) onError(name, err);
          }),
        ),
      );
    },
  };
}
