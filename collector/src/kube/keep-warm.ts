// Keeps the API server connections remediation needs open and warm while this replica leads.
// kube-apiserver closes a connection idle for 90 s, so a leader that has been quiet for days would
// start its first remediation by opening one TLS connection per pod it handles at once; on a 2-core
// control plane that made the first incident ~2 s slower than the next ones. Every `intervalMs`
// (under the server's idle timeout) `connections` cheap requests go out at once, so that many pooled
// sockets stay open; the same code paths stay compiled. Cost: `connections` GET /version per interval.

export interface KeepWarmOptions {
  /** Sockets to keep open: as many as remediation uses at once. */
  connections: number;
  intervalMs: number;
  /** One cheap request through the shared pool. */
  ping: () => Promise<unknown>;
  isLeader: () => boolean;
  onError: (err: unknown) => void;
}

export interface KeepWarm {
  /** Warms now (e.g. on becoming leader); resolves when every request has settled. */
  warm(): Promise<void>;
  stop(): void;
}

export function startKeepWarm(opts: KeepWarmOptions): KeepWarm {
  let running: Promise<void> | null = null;
  const warm = (): Promise<void> => {
    if (running !== null) return running;
    const round = Promise.allSettled(Array.from({ length: opts.connections }, () => opts.ping())).then((results) => {
      const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed !== undefined) opts.onError(failed.reason);
    });
    running = round.finally(() => {
      running = null;
    });
    return running;
  };
  const timer = setInterval(() => {
    if (opts.isLeader()) void warm();
  }, opts.intervalMs);
  timer.unref();
  return {
    warm,
    stop: () => clearInterval(timer),
  };
}
