// Retries one idempotent API step with exponential backoff and jitter until it succeeds, a
// non-retryable error occurs, or the signal aborts (shutdown / leadership lost). Nothing gives up
// while the API server is merely down: queued work completes when it returns.
import pRetry from 'p-retry';
import { isRetryable, withTimeout } from './api-errors.js';

export interface RetryOptions {
  signal: AbortSignal;
  /** Per-attempt timeout, ms. */
  attemptTimeoutMs?: number;
  minDelayMs?: number;
  maxDelayMs?: number;
  onRetry?: (err: unknown, attempt: number) => void;
}

export type Retry = <T>(op: () => Promise<T>) => Promise<T>;

export function makeRetry(opts: RetryOptions): Retry {
  const attemptTimeout = opts.attemptTimeoutMs ?? 20_000;
  return (op) =>
    pRetry(() => withTimeout(op, attemptTimeout), {
      forever: true,
      factor: 2,
      minTimeout: opts.minDelayMs ?? 100,
      maxTimeout: opts.maxDelayMs ?? 5_000,
      randomize: true,
      signal: opts.signal,
      shouldRetry: (err) => isRetryable(err),
      onFailedAttempt: (err) => {
        // p-retry does not check the signal between attempts before it sleeps.
        if (opts.signal.aborted) throw opts.signal.reason instanceof Error ? opts.signal.reason : new Error('aborted');
        opts.onRetry?.(err, err.attemptNumber);
      },
    });
}
