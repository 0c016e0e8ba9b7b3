// Watches NodeIncident records: a new leader reads the open ones from here, and a release annotation
// on a Held record reaches the remediator as a change.
import {
  CustomObjectsApi,
  makeInformer,
  type KubeConfig,
  type KubernetesListObject,
  type KubernetesObject,
} from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { makeSharedApiClient } from '../remediate/kube-transport.js';
import { keepInformerRunning, type RestartingInformer } from '../resolve/restarting-informer.js';
import { NODE_INCIDENT_GROUP, NODE_INCIDENT_PLURAL, NODE_INCIDENT_VERSION } from './incident-record.js';

export interface IncidentWatch extends RestartingInformer {
  list(): readonly unknown[];
}

export interface IncidentWatchOptions {
  kubeConfig: KubeConfig;
  silenceMs: number;
  logger: Logger;
  onChange: (obj: unknown) => void;
  onRestart?: (reason: 'error' | 'silence') => void;
}

export function startIncidentWatch(opts: IncidentWatchOptions): IncidentWatch {
  const custom = makeSharedApiClient(opts.kubeConfig, CustomObjectsApi);
  const path = `/apis/${NODE_INCIDENT_GROUP}/${NODE_INCIDENT_VERSION}/${NODE_INCIDENT_PLURAL}`;
  const informer = makeInformer<KubernetesObject>(opts.kubeConfig, path, async () => {
    const list: unknown = await custom.listClusterCustomObject({
      group: NODE_INCIDENT_GROUP,
      version: NODE_INCIDENT_VERSION,
      plural: NODE_INCIDENT_PLURAL,
    });
    return list as KubernetesListObject<KubernetesObject>;
  });
  informer.on('add', opts.onChange);
  informer.on('update', opts.onChange);
  const running = keepInformerRunning(informer, {
    name: 'nodeincidents',
    silenceMs: opts.silenceMs,
    logger: opts.logger,
    onRestart: opts.onRestart,
  });
  return { ...running, list: () => informer.list() };
}
