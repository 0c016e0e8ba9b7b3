// A watch on one collection, from a given resourceVersion, that stamps each event with the time it
// arrived (`performance.now()`, ms). The measurement resolution is that of the event stream itself.
import { Watch, type KubeConfig } from '@kubernetes/client-node';

export interface WatchStream {
  /** Resolves when the watch ends: null when stopped by us, else the reason it ended. */
  ended: Promise<Error | null>;
  stop(): void;
}

export type WatchHandler = (type: string, object: unknown, at: number) => void;

export async function startWatch(
  kc: KubeConfig,
  path: string,
  query: Record<string, string>,
  onEvent: WatchHandler,
): Promise<WatchStream> {
  let stopped = false;
  let settle: (err: Error | null) => void = () => undefined;
  const ended = new Promise<Error | null>((resolve) => (settle = resolve));
  const controller = await new Watch(kc).watch(
    path,
    { ...query, allowWatchBookmarks: true },
    (type: string, object: unknown) => {
      const at = performance.now();
      if (type === 'BOOKMARK') return;
      if (type === 'ERROR') {
        settle(new Error(`watch ${path} sent an error: ${JSON.stringify(object)}`));
        return;
      }
      onEvent(type, object, at);
    },
    (err: unknown) => {
      if (stopped) settle(null);
      else settle(err instanceof Error ? err : new Error(`watch ${path} ended${err === null || err === undefined ? '' : `: ${JSON.stringify(err)}`}`));
    },
  );
  return {
    ended,
    stop() {
      stopped = true;
      controller.abort();
      settle(null);
    },
  };
}
