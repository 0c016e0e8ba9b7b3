// Watches NodeIncident records: a new leader reads them from here (it finishes the open ones and
// knows which incidents it saw are already recorded), and a release annotation on a Held record
// reaches the remediator as a change. Open records (phase not final) are kept whole; finished ones
// accumulate in the cluster for as long as operators keep them and each can carry up to
// MAX_CONTEXT_LINES lines of kernel log, so they are kept without their context lines and pod list.
import type { KubeConfig, KubernetesObject } from '@kubernetes/client-node';
import { CustomObjectsApi } from '../kube/client-node.js';
import type { Logger } from 'pino';
import { makeSharedApiClient } from '../kube/transport.js';
import { createListWatch, type ListPage } from '../kube/list-watch.js';
import { keepInformerRunning, type RestartingInformer } from '../kube/restarting-informer.js';
import { FINAL_PHASES, NODE_INCIDENT_GROUP, NODE_INCIDENT_PLURAL, NODE_INCIDENT_VERSION, phaseOf } from './incident-record.js';

export interface IncidentWatch extends RestartingInformer {
  /** Every record as last seen; finished ones without `spec.contextLines` and `status.affectedPods`. */
  list(): readonly unknown[];
}

export interface IncidentWatchOptions {
  kubeConfig: KubeConfig;
  silenceMs: number;
  logger: Logger;
  /** Every record listed or changed, open or not (followers mirror the leader's final phases too). */
  onChange: (obj: unknown) => void;
  onRestart?: (reason: 'error' | 'silence') => void;
}

interface RecordShape extends KubernetesObject {
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
}

/** A finished record without its bulky parts: what a new leader needs to know it is done. */
export function slim(obj: RecordShape): RecordShape {
  const { contextLines: _lines, ...spec } = obj.spec ?? {};
  const { affectedPods: _pods, ...status } = obj.status ?? {};
  return { apiVersion: obj.apiVersion, kind: obj.kind, metadata: { name: obj.metadata?.name, annotations: obj.metadata?.annotations }, spec, status };
}

/** The records by name. */
export function openRecords(onChange: (obj: unknown) => void) {
  const records = new Map<string, KubernetesObject>();
  return {
    list: (): readonly unknown[] => [...records.values()],
    sink: {
      upsert(obj: KubernetesObject) {
        const name = obj.metadata?.name;
        if (name !== undefined) {
          const phase = phaseOf(obj);
          records.set(name, phase !== null && FINAL_PHASES.includes(phase) ? slim(obj) : obj);
        }
        onChange(obj);
      },
      remove(obj: KubernetesObject) {
        const name = obj.metadata?.name;
        if (name !== undefined) records.delete(name);
      },
    },
  };
}

export function startIncidentWatch(opts: IncidentWatchOptions): IncidentWatch {
  const custom = makeSharedApiClient(opts.kubeConfig, CustomObjectsApi);
  const CR = { group: NODE_INCIDENT_GROUP, version: NODE_INCIDENT_VERSION, plural: NODE_INCIDENT_PLURAL };
  const records = openRecords(opts.onChange);
  const informer = createListWatch<KubernetesObject>({
    kubeConfig: opts.kubeConfig,
    path: `/apis/${NODE_INCIDENT_GROUP}/${NODE_INCIDENT_VERSION}/${NODE_INCIDENT_PLURAL}`,
    list: async ({ limit, continueToken }) =>
      (await custom.listClusterCustomObject({ ...CR, limit, _continue: continueToken })) as ListPage<KubernetesObject>,
    sink: records.sink,
  });
  const running = keepInformerRunning(informer, {
    name: 'nodeincidents',
    silenceMs: opts.silenceMs,
    logger: opts.logger,
    onRestart: opts.onRestart,
  });
  return { ...running, list: records.list };
}
