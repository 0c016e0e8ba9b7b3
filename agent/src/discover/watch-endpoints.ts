// Watches the EndpointSlices of the collector Service (label kubernetes.io/service-name) with a
// list+watch informer and reports the endpoint set whenever it changes. Needs only list/watch on
// endpointslices in the collector namespace. The informer stops on errors; it is restarted with
// backoff, and the last known set stays in effect meanwhile.
import { DiscoveryV1Api, makeInformer, type KubeConfig, type V1EndpointSlice } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { CollectorEndpoint } from '../types.js';
import { endpointsFromSlices } from './endpoints-from-slices.js';
import { sameEndpoints } from './parse-endpoint.js';

export interface EndpointWatchOptions {
  kubeConfig: KubeConfig;
  namespace: string;
  service: string;
  portName: string;
  logger: Logger;
  /** Called with the full set after the first list and after every change of the set. */
  onChange: (endpoints: CollectorEndpoint[]) => void;
  /** Restart delay after an error, doubling up to maxBackoffMs. */
  minBackoffMs?: number;
  maxBackoffMs?: number;
}

export interface EndpointWatch {
  stop(): Promise<void>;
}

export async function watchEndpoints(options: EndpointWatchOptions): Promise<EndpointWatch> {
  const api = options.kubeConfig.makeApiClient(DiscoveryV1Api);
  const labelSelector = `kubernetes.io/service-name=${options.service}`;
  const path = `/apis/discovery.k8s.io/v1/namespaces/${options.namespace}/endpointslices`;
  // Whether a list has succeeded: until then an empty cache means "unknown", not "no endpoints".
  let listed = false;
  const list = async () => {
    const result = await api.listNamespacedEndpointSlice({ namespace: options.namespace, labelSelector });
    listed = true;
    return result;
  };
  const informer = makeInformer<V1EndpointSlice>(options.kubeConfig, path, list, labelSelector);
  const minBackoff = options.minBackoffMs ?? 500;
  const maxBackoff = options.maxBackoffMs ?? 30_000;
  let backoff = minBackoff;
  let last: CollectorEndpoint[] | null = null;
  let stopped = false;
  let restartTimer: NodeJS.Timeout | null = null;

  const emit = () => {
    if (!listed) return;
    const next = endpointsFromSlices(informer.list(options.namespace), options.portName);
    if (last !== null && sameEndpoints(last, next)) return;
    last = next;
    options.onChange(next);
  };
  informer.on('add', emit);
  informer.on('update', emit);
  informer.on('delete', emit);
  informer.on('connect', () => {
    backoff = minBackoff;
  });
  informer.on('error', (err: unknown) => {
    if (stopped) return;
    options.logger.warn({ err, restartInMs: backoff }, 'EndpointSlice watch failed; restarting');
    restartTimer = setTimeout(() => {
      restartTimer = null;
      if (!stopped) void informer.start().then(emit, () => undefined);
    }, backoff);
    backoff = Math.min(backoff * 2, maxBackoff);
  });
  await informer.start();
  // An empty initial list raises no add event: report it so "no endpoints" is known, not pending.
  emit();
  return {
    async stop() {
      stopped = true;
      if (restartTimer !== null) clearTimeout(restartTimer);
      await informer.stop();
    },
  };
}
