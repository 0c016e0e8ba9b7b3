// A watch on one collection, from a given resourceVersion, that stamps each event with the time it
// arrived (`performance.now()`, ms). The measurement resolution is that of the event stream itself.
// The API server ends every watch after a while (its min-request-timeout, randomised); the stream then
// resumes from the last resourceVersion it saw (objects and bookmarks), so no event is missed or
// repeated. An ERROR event (e.g. 410 Gone: that version was compacted away) ends it with an error.
import { Watch, type KubeConfig } from '@kubernetes/client-node';

export interface WatchStream {
  /** Resolves when the watch ends: null when stopped by us, else the reason it ended. */
  ended: Promise<Error | null>;
  stop(): void;
}

export type WatchHandler = (type: string, object: unknown, at: number) => void;

/** Resumptions in a row without a single event in between before the stream gives up. */
const MAX_EMPTY_RESUMES = 5;

function versionOf(object: unknown): string | undefined {
  return (object as { metadata?: { resourceVersion?: string } } | null)?.metadata?.resourceVersion;
}

export async function startWatch(
  kc: KubeConfig,
  path: string,
  query: Record<string, string>,
  onEvent: WatchHandler,
): Promise<WatchStream> {
  let stopped = false;
  let settle: (err: Error | null) => void = () => undefined;
  const ended = new Promise<Error | null>((resolve) => (settle = resolve));
  const finish = (err: Error | null): void => {
    stopped = true;
    settle(err);
  };
  let resourceVersion = query.resourceVersion;
  let emptyResumes = 0;
  let controller: AbortController | null = null;

  const open = async (): Promise<void> => {
    let sawEvent = false;
    const q = { ...query, allowWatchBookmarks: true, ...(resourceVersion === undefined ? {} : { resourceVersion }) };
    controller = await new Watch(kc).watch(
      path,
      q,
      (type: string, object: unknown) => {
        const at = performance.now();
        if (type === 'ERROR') {
          finish(new Error(`watch ${path} sent an error: ${JSON.stringify(object)}`));
          controller?.abort();
          return;
        }
        sawEvent = true;
        resourceVersion = versionOf(object) ?? resourceVersion;
        if (type !== 'BOOKMARK') onEvent(type, object, at);
      },
      (err: unknown) => {
        if (stopped) {
          settle(null);
          return;
        }
        emptyResumes = sawEvent ? 0 : emptyResumes + 1;
        const reason = err === null || err === undefined ? 'closed by the server' : err instanceof Error ? err.message : JSON.stringify(err);
        if (emptyResumes > MAX_EMPTY_RESUMES) {
          finish(new Error(`watch ${path} ended ${emptyResumes} times in a row without an event: ${reason}`));
          return;
        }
        open().catch((e: unknown) => finish(e instanceof Error ? e : new Error(String(e))));
      },
    );
  };
  await open();
  return {
    ended,
    stop() {
      finish(null);
      controller?.abort();
    },
  };
}
