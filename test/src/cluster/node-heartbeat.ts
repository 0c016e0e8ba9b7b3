// Ends a kwok Node's life the way a crash ends a kubelet's: its heartbeat (the Lease in kube-node-lease)
// is never renewed again. kwok renews the Leases it holds every 10 s and keeps doing so even after a
// Node loses kwok's management annotation; it only lets go of a Lease that another holder has
// renewed and that has not expired. So the Lease is handed to a holder that never renews it, with its
// last renewTime kept and a duration of a day: kwok then neither renews it nor touches the Node or its
// pods again, and the node lifecycle controller sees a heartbeat that stopped at that renewTime.
import { CoordinationV1Api } from '@kubernetes/client-node';
import { apiStatus } from './api-errors.js';
import type { ClusterClient } from './objects.js';

export const STOPPED_HOLDER = 'lastgasp-testbed/stopped-heartbeat';
const NODE_LEASE_NAMESPACE = 'kube-node-lease';
const A_DAY_SECONDS = 24 * 3600;

/** Stops the Node's heartbeat; resolves with its last renewal (ms since the epoch). Idempotent. */
export async function stopNodeHeartbeat(c: ClusterClient, node: string): Promise<number> {
  const leases = c.kubeConfig.makeApiClient(CoordinationV1Api);
  for (let attempt = 1; ; attempt++) {
    const lease = await leases.readNamespacedLease({ name: node, namespace: NODE_LEASE_NAMESPACE });
    const renewTime = lease.spec?.renewTime;
    if (renewTime === undefined) throw new Error(`the Lease of Node ${node} has never been renewed`);
    if (lease.spec?.holderIdentity === STOPPED_HOLDER) return new Date(renewTime).getTime();
    try {
      // A replace guarded by the resourceVersion just read: a renewal by kwok in between is a 409.
      await leases.replaceNamespacedLease({
        name: node,
        namespace: NODE_LEASE_NAMESPACE,
        body: { ...lease, spec: { ...lease.spec, holderIdentity: STOPPED_HOLDER, leaseDurationSeconds: A_DAY_SECONDS } },
      });
      return new Date(renewTime).getTime();
    } catch (err) {
      if (apiStatus(err) !== 409 || attempt >= 10) throw err;
    }
  }
}
