// The Lease operations leader election needs (coordination.k8s.io/v1), behind a narrow interface so the
// election logic can be unit-tested with an in-memory store. Optimistic concurrency: `replace` fails
// with `conflict` when the stored resourceVersion moved on.
import type { KubeConfig, V1Lease } from '@kubernetes/client-node';
import { CoordinationV1Api, V1MicroTime } from '../kube/client-node.js';
import { isConflict, isNotFound } from '../kube/api-errors.js';
import { makeSharedApiClient } from '../kube/transport.js';

export interface LeaseRecord {
  holderIdentity: string;
  leaseDurationSeconds: number;
  /** ms since the epoch */
  acquireTime: number;
  renewTime: number;
  leaseTransitions: number;
}

export interface StoredLease {
  record: LeaseRecord;
  resourceVersion: string;
}

export interface LeaseStore {
  get(): Promise<StoredLease | null>;
  /** 'conflict' when it already exists. */
  create(record: LeaseRecord): Promise<'ok' | 'conflict'>;
  /** 'conflict' when `resourceVersion` is stale. */
  replace(record: LeaseRecord, resourceVersion: string): Promise<'ok' | 'conflict'>;
}

function toRecord(lease: V1Lease): LeaseRecord {
  const s = lease.spec ?? {};
  return {
    holderIdentity: s.holderIdentity ?? '',
    leaseDurationSeconds: s.leaseDurationSeconds ?? 0,
    acquireTime: s.acquireTime === undefined ? 0 : new Date(s.acquireTime).getTime(),
    renewTime: s.renewTime === undefined ? 0 : new Date(s.renewTime).getTime(),
    leaseTransitions: s.leaseTransitions ?? 0,
  };
}

function toSpec(r: LeaseRecord): V1Lease['spec'] {
  return {
    holderIdentity: r.holderIdentity,
    leaseDurationSeconds: r.leaseDurationSeconds,
    acquireTime: new V1MicroTime(r.acquireTime),
    renewTime: new V1MicroTime(r.renewTime),
    leaseTransitions: r.leaseTransitions,
  };
}

export function createKubeLeaseStore(kc: KubeConfig, namespace: string, name: string): LeaseStore {
  // Renewed every retry period: a new TLS connection per call would dominate the collector's idle CPU.
  const api = makeSharedApiClient(kc, CoordinationV1Api);
  return {
    async get() {
      try {
        const lease = await api.readNamespacedLease({ name, namespace });
        return { record: toRecord(lease), resourceVersion: lease.metadata?.resourceVersion ?? '' };
      } catch (err) {
        if (isNotFound(err)) return null;
        throw err;
      }
    },
    async create(record) {
      try {
        await api.createNamespacedLease({ namespace, body: { metadata: { name, namespace }, spec: toSpec(record) } });
        return 'ok';
      } catch (err) {
        if (isConflict(err)) return 'conflict';
        throw err;
      }
    },
    async replace(record, resourceVersion) {
      try {
        await api.replaceNamespacedLease({
          name,
          namespace,
          body: { metadata: { name, namespace, resourceVersion }, spec: toSpec(record) },
        });
        return 'ok';
      } catch (err) {
        if (isConflict(err)) return 'conflict';
        throw err;
      }
    },
  };
}
