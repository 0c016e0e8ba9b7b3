// Keeps a client-node informer running: the library stops an informer on any watch or list error, so
// we restart it with exponential backoff and jitter, and we restart a watch that has delivered nothing
// for `silenceMs` (a half-open TCP connection looks exactly like a quiet cluster).
import type { Informer, KubernetesObject } from '@kubernetes/client-node';
import type { Logger } from 'pino';

export interface RestartingInformerOptions {
  name: string;
  /** Restart after this long without an event or a (re)connect. */
  silenceMs: number;
  /** Backoff after an error: min, doubling, capped at max; ±20 % jitter. */
  minBackoffMs?: number;
  maxBackoffMs?: number;
  logger: Logger;
  onRestart?: (reason: 'error' | 'silence') => void;
}

export interface RestartingInformer {
  /** Resolves after the first successful list (or never, while the API is unreachable). */
  synced: Promise<void>;
  isSynced(): boolean;
  stop(): Promise<void>;
}

export function keepInformerRunning<T extends KubernetesObject>(
  informer: Informer<T>,
  opts: RestartingInformerOptions,
): RestartingInformer {
  const minBackoff = opts.minBackoffMs ?? 500;
  const maxBackoff = opts.maxBackoffMs ?? 30_000;
  let backoff = minBackoff;
  let lastActivity = Date.now();
  let stopped = false;
  let synced = false;
  let restartTimer: NodeJS.Timeout | undefined;
  let markSynced: () => void = () => undefined;
  const syncedPromise = new Promise<void>((resolve) => {
    markSynced = resolve;
  });

  const touch = (): void => {
    lastActivity = Date.now();
  };
  const start = async (): Promise<void> => {
    if (stopped) return;
    touch();
    try {
      await informer.start();
      backoff = minBackoff;
      if (!synced) {
        synced = true;
        markSynced();
      }
    } catch (err) {
      scheduleRestart('error', err);
    }
  };
  const scheduleRestart = (reason: 'error' | 'silence', err?: unknown): void => {
    if (stopped || restartTimer !== undefined) return;
    const delay = reason === 'silence' ? 0 : Math.round(backoff * (0.8 + Math.random() * 0.4));
    if (reason === 'error') backoff = Math.min(backoff * 2, maxBackoff);
    opts.logger.warn({ informer: opts.name, reason, delayMs: delay, err }, 'restarting watch');
    opts.onRestart?.(reason);
    restartTimer = setTimeout(() => {
      restartTimer = undefined;
      void informer
        .stop()
        .catch(() => undefined)
        .then(start);
    }, delay);
  };

  informer.on('add', touch);
  informer.on('update', touch);
  informer.on('delete', touch);
  informer.on('connect', touch);
  informer.on('error', (err: unknown) => scheduleRestart('error', err));

  const watchdog = setInterval(
    () => {
      if (Date.now() - lastActivity >= opts.silenceMs) scheduleRestart('silence');
    },
    Math.max(100, Math.min(opts.silenceMs / 4, 30_000)),
  );
  watchdog.unref();
  void start();

  return {
    synced: syncedPromise,
    isSynced: () => synced,
    async stop() {
      stopped = true;
      clearInterval(watchdog);
      if (restartTimer !== undefined) clearTimeout(restartTimer);
      await informer.stop();
    },
  };
}
