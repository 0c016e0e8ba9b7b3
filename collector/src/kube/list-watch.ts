// A list-then-watch loop that keeps no copy of the objects: each one goes to a sink (which keeps only
// what it needs) and is dropped. client-node's informer caches every full object it has seen, so with
// it the collector held every Node twice (the full object and the NodeIndex's projection).
//
// It implements client-node's Informer interface, so keepInformerRunning restarts it after errors and
// silence. It remembers only the names it has passed on, so a relist can remove from the sink the
// objects deleted while it was not watching. Lists are paged (`pageSize` objects per request), so a relist of a large cluster never holds
// the whole collection at once. A watch the server closes normally is resumed from the last
// resourceVersion seen (objects and bookmarks); any error (including 410 Gone for a compacted version)
// is reported as 'error', and the restart lists again.
import type { Informer, KubeConfig, KubernetesObject, ObjectCallback } from '@kubernetes/client-node';
import { Watch } from './client-node.js';

export interface ListPage<T> {
  items: T[];
  metadata?: { resourceVersion?: string; _continue?: string };
}

export interface ListWatchSink<T> {
  upsert(obj: T): void;
  /** The object is gone; after a relist only its metadata name and namespace are known. */
  remove(obj: T): void;
}

export interface ListWatchOptions<T> {
  kubeConfig: KubeConfig;
  /** The collection's path, e.g. `/api/v1/nodes`. */
  path: string;
  /** One page of the collection. */
  list(page: { limit: number; continueToken: string | undefined }): Promise<ListPage<T>>;
  sink: ListWatchSink<T>;
  /** Objects per list request. Default 500 (what client-go's reflector asks for). */
  pageSize?: number;
}

type Verb = 'add' | 'update' | 'delete' | 'change' | 'connect' | 'error';
type Callback = (arg?: unknown) => void;

function versionOf(obj: unknown): string | undefined {
  return (obj as KubernetesObject | null)?.metadata?.resourceVersion;
}

function keyOf(obj: KubernetesObject): string {
  return `${obj.metadata?.namespace ?? ''}/${obj.metadata?.name ?? ''}`;
}

/** What a relist knows of an object it no longer lists. */
function stubOf<T extends KubernetesObject>(key: string): T {
  const slash = key.indexOf('/');
  const namespace = key.slice(0, slash);
  return { metadata: { name: key.slice(slash + 1), ...(namespace === '' ? {} : { namespace }) } } as T;
}

export function createListWatch<T extends KubernetesObject>(opts: ListWatchOptions<T>): Informer<T> {
  const pageSize = opts.pageSize ?? 500;
  const callbacks = new Map<Verb, Callback[]>();
  const emit = (verb: Verb, arg?: unknown): void => {
    for (const cb of callbacks.get(verb) ?? []) cb(arg);
  };
  let controller: AbortController | null = null;
  /** Bumped by start and stop: callbacks of an older watch are ignored. */
  let generation = 0;
  /** Keys (`namespace/name`) of the objects the sink holds. */
  let known = new Set<string>();

  const listAll = async (gen: number): Promise<string> => {
    let continueToken: string | undefined;
    let resourceVersion = '';
    const listed = new Set<string>();
    do {
      const page = await opts.list({ limit: pageSize, continueToken });
      if (gen !== generation) return '';
      for (const item of page.items) {
        opts.sink.upsert(item);
        listed.add(keyOf(item));
      }
      resourceVersion = page.metadata?.resourceVersion ?? resourceVersion;
      continueToken = page.metadata?._continue === '' ? undefined : page.metadata?._continue;
    } while (continueToken !== undefined);
    for (const key of known) if (!listed.has(key)) opts.sink.remove(stubOf<T>(key));
    known = listed;
    return resourceVersion;
  };

  const watchFrom = async (gen: number, from: string): Promise<void> => {
    let resourceVersion = from;
    const onEvent = (type: string, obj: unknown): void => {
      if (gen !== generation) return;
      if (type === 'ERROR') {
        generation++;
        controller?.abort();
        emit('error', new Error(`watch ${opts.path} sent an error: ${JSON.stringify(obj)}`));
        return;
      }
      resourceVersion = versionOf(obj) ?? resourceVersion;
      const item = obj as T;
      if (type === 'ADDED' || type === 'MODIFIED') {
        opts.sink.upsert(item);
        known.add(keyOf(item));
        emit(type === 'ADDED' ? 'add' : 'update', item);
      } else if (type === 'DELETED') {
        opts.sink.remove(item);
        known.delete(keyOf(item));
        emit('delete', item);
      }
    };
    const onDone = (err: unknown): void => {
      if (gen !== generation) return;
      if (err !== null && err !== undefined) {
        generation++;
        emit('error', err);
        return;
      }
      // Closed by the server after its request timeout: carry on from where it stopped.
      watchFrom(gen, resourceVersion).catch((e: unknown) => {
        if (gen === generation) emit('error', e);
      });
    };
    const query = { allowWatchBookmarks: true, resourceVersion };
    const started = await new Watch(opts.kubeConfig).watch(opts.path, query, onEvent, onDone);
    if (gen !== generation) {
      started.abort();
      return;
    }
    controller = started;
    emit('connect');
  };

  const informer = {
    on(verb: Verb, cb: Callback) {
      callbacks.set(verb, [...(callbacks.get(verb) ?? []), cb]);
    },
    off(verb: Verb, cb: Callback) {
      callbacks.set(verb, (callbacks.get(verb) ?? []).filter((c) => c !== cb));
    },
    async start() {
      const gen = ++generation;
      controller?.abort();
      controller = null;
      const resourceVersion = await listAll(gen);
      if (gen !== generation) return;
      await watchFrom(gen, resourceVersion);
    },
    stop() {
      generation++;
      controller?.abort();
      controller = null;
      return Promise.resolve();
    },
  };
  return informer as Informer<T> & { on(verb: Verb, cb: ObjectCallback<T>): void };
}
