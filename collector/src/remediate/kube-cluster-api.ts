// ClusterApi on @kubernetes/client-node. Patches state their content type explicitly (the client
// defaults to JSON Patch): merge patch for metadata and custom resources, strategic merge patch for
// pod status so `conditions` merge by type instead of being replaced.
import type { KubeConfig, V1Taint } from '@kubernetes/client-node';
import {
  CoordinationV1Api,
  CoreV1Api,
  CustomObjectsApi,
  PatchStrategy,
  VersionApi,
  setHeaderOptions,
} from '../kube/client-node.js';
import {
  NODE_INCIDENT_GROUP,
  NODE_INCIDENT_PLURAL,
  NODE_INCIDENT_VERSION,
  type NodeIncidentObject,
} from '../record/incident-record.js';
import { isConflict, isNotFound } from '../kube/api-errors.js';
import type { ClusterApi, EventSpec, Gone, PodRef, SeriesApi } from './cluster-api.js';
import type { RetentionApi } from '../record/retention.js';
import { isNodeReady } from '../kube/node-addresses.js';
import { kubeTransport, makeSharedApiClient } from '../kube/transport.js';
import { retryOnConflict } from '../kube/retry.js';

const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const CR = { group: NODE_INCIDENT_GROUP, version: NODE_INCIDENT_VERSION, plural: NODE_INCIDENT_PLURAL };

/** Keys of `wanted` that `actual` lacks or holds with another value. */
export function missingAnnotations(actual: Readonly<Record<string, string>> | undefined, wanted: Readonly<Record<string, string>>): string[] {
  return Object.keys(wanted).filter((key) => actual?.[key] !== wanted[key]);
}

/** Maps 404 to 'gone'; everything else propagates. */
async function unlessGone(op: () => Promise<unknown>): Promise<Gone> {
  try {
    await op();
    return 'done';
  } catch (err) {
    if (isNotFound(err)) return 'gone';
    throw err;
  }
}

const STRATEGIC = 'application/strategic-merge-patch+json';
const MERGE = 'application/merge-patch+json';

/** What the collector reads of a pod the API server returns. */
interface PodAnswer {
  metadata?: { annotations?: Record<string, string> };
}

/** What the collector reads of a pod list. */
interface PodList {
  items?: { metadata?: { name?: string; namespace?: string; uid?: string } }[];
}

/** RFC 3339 with microseconds, as a MicroTime field wants it (`2006-01-02T15:04:05.000000Z`). */
export function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/(\.\d{3})Z$/, '$1000Z');
}

function eventsPath(namespace: string): string {
  return `/apis/events.k8s.io/v1/namespaces/${encodeURIComponent(namespace)}/events`;
}

/** An events.k8s.io/v1 Event first observed at `eventTime` (ms). */
function eventBody(e: EventSpec, eventTime: number, reportingInstance: string): Record<string, unknown> {
  return {
    apiVersion: 'events.k8s.io/v1',
    kind: 'Event',
    metadata: { name: e.name, namespace: e.namespace },
    eventTime: microTime(eventTime),
    reportingController: 'lastgasp.dev/collector',
    reportingInstance,
    action: e.action,
    reason: e.reason,
    type: e.type,
    note: e.note,
    regarding: e.regarding,
  };
}

function podPath(pod: PodRef): string {
  return `/api/v1/namespaces/${encodeURIComponent(pod.namespace)}/pods/${encodeURIComponent(pod.name)}`;
}

/**
 * All clients share one keep-alive connection pool per KubeConfig (kube-transport.ts). The per-pod
 * writes go through its plain JSON `request`, the rest through the generated clients.
 */
export function createKubeClusterApi(kc: KubeConfig, reportingInstance: string): ClusterApi & SeriesApi & RetentionApi {
  const transport = kubeTransport(kc);
  const core = makeSharedApiClient(kc, CoreV1Api);
  const custom = makeSharedApiClient(kc, CustomObjectsApi);
  const coordination = makeSharedApiClient(kc, CoordinationV1Api);
  const version = makeSharedApiClient(kc, VersionApi);

  const readNode = async (name: string) => {
    try {
      return await core.readNode({ name });
    } catch (err) {
      if (isNotFound(err)) return null;
      throw err;
    }
  };

  return {
    async createIncident(body: NodeIncidentObject) {
      try {
        await custom.createClusterCustomObject({ ...CR, body });
        return 'created';
      } catch (err) {
        if (isConflict(err)) return 'exists';
        throw err;
      }
    },
    async getIncident(name) {
      try {
        return (await custom.getClusterCustomObject({ ...CR, name })) as unknown;
      } catch (err) {
        if (isNotFound(err)) return null;
        throw err;
      }
    },
    patchIncidentStatus: (name, status) =>
      unlessGone(() => custom.patchClusterCustomObjectStatus({ ...CR, name, body: { status } }, merge)),
    patchIncidentContext: (name, contextLines) =>
      unlessGone(() => custom.patchClusterCustomObject({ ...CR, name, body: { spec: { contextLines } } }, merge)),

    async listPodsOnNode(node) {
      // Plain JSON: only three fields of each pod are read, so the generated client's model objects
      // for every pod would be garbage made during the remediation's busiest moment.
      const list = (await transport.request({
        method: 'GET',
        path: `/api/v1/pods?fieldSelector=${encodeURIComponent(`spec.nodeName=${node}`)}`,
      })) as PodList | null;
      const pods: PodRef[] = [];
      for (const p of list?.items ?? []) {
        const { name, namespace, uid } = p.metadata ?? {};
        if (name !== undefined && namespace !== undefined && uid !== undefined) pods.push({ name, namespace, uid });
      }
      return pods;
    },
    async failPod(pod, condition, annotations) {
      // The pods/status endpoint keeps metadata changes (only spec and ownerReferences are reset), so
      // one write carries the explanation and the failure. Checked on the answer: should an API server
      // ever drop them, the annotations follow in a metadata patch.
      const body = {
        metadata: { annotations },
        status: {
          phase: 'Failed',
          conditions: [
            {
              type: 'DisruptionTarget',
              status: 'True',
              reason: condition.reason,
              message: condition.message,
              lastTransitionTime: new Date().toISOString(),
            },
          ],
        },
      };
      const path = podPath(pod);
      return unlessGone(async () => {
        const failed = (await transport.request({ method: 'PATCH', path: `${path}/status`, body, contentType: STRATEGIC })) as PodAnswer | null;
        if (missingAnnotations(failed?.metadata?.annotations, annotations).length > 0) {
          await transport.request({ method: 'PATCH', path, body: { metadata: { annotations } }, contentType: MERGE });
        }
      });
    },
    async deletePod(pod) {
      try {
        await transport.request({
          method: 'DELETE',
          path: podPath(pod),
          body: { apiVersion: 'v1', kind: 'DeleteOptions', gracePeriodSeconds: 0, preconditions: { uid: pod.uid } },
        });
        return 'done';
      } catch (err) {
        // 409 here is a failed uid precondition: the name now belongs to a replacement pod.
        if (isNotFound(err) || isConflict(err)) return 'gone';
        throw err;
      }
    },
    async createEvent(e) {
      // Plain JSON through the shared pool, like the per-pod writes: one Event per pod.
      try {
        await transport.request({ method: 'POST', path: eventsPath(e.namespace), body: eventBody(e, Date.now(), reportingInstance) });
      } catch (err) {
        if (!isConflict(err)) throw err;
      }
    },
    async writeEventSeries(e, series, create) {
      const seriesField = series.count >= 2 ? { series: { count: series.count, lastObservedTime: microTime(series.lastAt) } } : {};
      const post = () =>
        transport.request({ method: 'POST', path: eventsPath(e.namespace), body: { ...eventBody(e, series.firstAt, reportingInstance), ...seriesField } });
      const patch = () =>
        transport.request({
          method: 'PATCH',
          path: `${eventsPath(e.namespace)}/${encodeURIComponent(e.name)}`,
          body: seriesField,
          contentType: MERGE,
        });
      if (create) {
        try {
          await post();
          return;
        } catch (err) {
          // Another leader created it first: bring its count up to ours.
          if (!isConflict(err)) throw err;
        }
      }
      if (series.count < 2) return;
      try {
        await patch();
      } catch (err) {
        // Gone (the API server's Event lifetime ended, or someone deleted it): made again, with the count.
        if (!isNotFound(err)) throw err;
        await post();
      }
    },
    async deleteIncident(name) {
      return unlessGone(() => custom.deleteClusterCustomObject({ ...CR, name }));
    },
    cordonNode: (name, annotations) =>
      unlessGone(() => core.patchNode({ name, body: { metadata: { annotations }, spec: { unschedulable: true } } }, merge)),
    taintNode: (name, taint) =>
      // Taints have no merge key: read, append, and write back guarded by resourceVersion. Controllers
      // write the Node too (cordoning makes the node lifecycle controller add its unschedulable
      // taint), so a 409 re-reads and tries again.
      retryOnConflict(async () => {
        const node = await readNode(name);
        if (node === null) return 'gone';
        const taints: V1Taint[] = node.spec?.taints ?? [];
        if (taints.some((t) => t.key === taint.key && t.effect === taint.effect)) return 'done';
        return unlessGone(() =>
          core.patchNode(
            {
              name,
              body: {
                metadata: { resourceVersion: node.metadata?.resourceVersion },
                spec: { taints: [...taints, { ...taint, timeAdded: new Date().toISOString() }] },
              },
            },
            merge,
          ),
        );
      }),
    async deleteNode(name) {
      return unlessGone(() => core.deleteNode({ name }));
    },
    async nodeUid(name) {
      return (await readNode(name))?.metadata?.uid ?? null;
    },
    async nodeLiveness(name) {
      const node = await readNode(name);
      if (node === null) return { exists: false, ready: false, leaseRenewedAt: null };
      let leaseRenewedAt: number | null = null;
      try {
        const lease = await coordination.readNamespacedLease({ name, namespace: 'kube-node-lease' });
        const t = lease.spec?.renewTime;
        leaseRenewedAt = t === undefined ? null : new Date(t).getTime();
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
      return { exists: true, ready: isNodeReady(node), leaseRenewedAt };
    },
    async ping() {
      await version.getCode();
    },
  };
}
