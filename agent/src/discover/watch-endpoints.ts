// Watches the EndpointSlices of the collector Service (label kubernetes.io/service-name) with
// list + watch and reports the endpoint set whenever it changes. Needs only list/watch on
// endpointslices in the collector namespace. A watch that ends is resumed from the last
// resourceVersion; "410 Gone" relists; errors relist after a backoff. The last known set stays in
// effect meanwhile.
import type { V1EndpointSlice } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { KubeClient, WatchHandle } from '../kube/kube-client.js';
import type { CollectorEndpoint } from '../types.js';
import { endpointsFromSlices } from './endpoints-from-slices.js';
import { sameEndpoints } from './parse-endpoint.js';

export interface EndpointWatchOptions {
  kube: KubeClient;
  namespace: string;
  service: string;
  portName: string;
  logger: Logger;
  /** Called with the full set after the first list and after every change of the set. */
  onChange: (endpoints: CollectorEndpoint[]) => void;
  /** Relist delay after an error, doubling up to maxBackoffMs. */
  minBackoffMs?: number;
  maxBackoffMs?: number;
}

export interface EndpointWatch {
  stop(): void;
}

interface SliceList {
  metadata?: { resourceVersion?: string };
  items?: V1EndpointSlice[];
}

function isEndpointSlice(value: Record<string, unknown>): value is Record<string, unknown> & V1EndpointSlice {
  return typeof value.addressType === 'string' && Array.isArray(value.endpoints);
}

function errorStatus(object: Record<string, unknown>): number | undefined {
  return typeof object.code === 'number' ? object.code : undefined;
}

/** Resolves after the first list attempt; a failed one is retried with backoff in the background. */
export async function watchEndpoints(options: EndpointWatchOptions): Promise<EndpointWatch> {
  const base = `/apis/discovery.k8s.io/v1/namespaces/${encodeURIComponent(options.namespace)}/endpointslices`;
  const selector = `labelSelector=${encodeURIComponent(`kubernetes.io/service-name=${options.service}`)}`;
  const minBackoff = options.minBackoffMs ?? 500;
  const maxBackoff = options.maxBackoffMs ?? 30_000;
  const slices = new Map<string, V1EndpointSlice>();
  let backoff = minBackoff;
  let resourceVersion = '';
  let last: CollectorEndpoint[] | null = null;
  let stopped = false;
  let handle: WatchHandle | null = null;
  let timer: NodeJS.Timeout | null = null;

  const emit = () => {
    const next = endpointsFromSlices([...slices.values()], options.portName);
    if (last !== null && sameEndpoints(last, next)) return;
    last = next;
    options.onChange(next);
  };
  const list = async () => {
    const result = await options.kube.request<SliceList>('GET', `${base}?${selector}`);
    slices.clear();
    for (const item of result.items ?? []) slices.set(item.metadata?.name ?? '', item);
    resourceVersion = result.metadata?.resourceVersion ?? '';
    emit();
  };
  const retry = (err: unknown) => {
    if (stopped) return;
    options.logger.warn({ err, retryInMs: backoff }, 'EndpointSlice watch failed; relisting');
    resourceVersion = '';
    timer = setTimeout(() => void resume(), backoff);
    backoff = Math.min(backoff * 2, maxBackoff);
  };
  const watch = () => {
    // A server-side timeout spreads reconnects; the watch then resumes from resourceVersion.
    const timeout = 300 + Math.floor(Math.random() * 300);
    const path = `${base}?${selector}&watch=1&allowWatchBookmarks=true&timeoutSeconds=${timeout}&resourceVersion=${encodeURIComponent(resourceVersion)}`;
    handle = options.kube.watch(
      path,
      (event) => {
        const metadata = event.object.metadata as { name?: string; resourceVersion?: string } | undefined;
        if (event.type === 'ERROR') {
          if (errorStatus(event.object) === 410) resourceVersion = '';
          return;
        }
        if (metadata?.resourceVersion !== undefined) resourceVersion = metadata.resourceVersion;
        if (event.type === 'BOOKMARK') return;
        const name = metadata?.name ?? '';
        if (event.type === 'DELETED') slices.delete(name);
        else if (isEndpointSlice(event.object)) slices.set(name, event.object);
        backoff = minBackoff;
        emit();
      },
      (err) => {
        handle = null;
        if (stopped) return;
        if (err !== null) retry(err);
        else void resume();
      },
    );
  };
  const resume = async () => {
    timer = null;
    if (stopped) return;
    try {
      if (resourceVersion === '') await list();
      watch();
    } catch (err) {
      retry(err);
    }
  };

  await resume();
  return {
    stop() {
      stopped = true;
      if (timer !== null) clearTimeout(timer);
      handle?.abort();
    },
  };
}
