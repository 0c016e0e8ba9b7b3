// Retries one idempotent API step with exponential backoff and jitter until it succeeds, a
// non-retryable error occurs, or the signal aborts (shutdown / leadership lost). Nothing gives up
// while the API server is merely down: queued work completes when it returns.
import pRetry from 'p-retry';
import { isConflict, isRetryable, withTimeout } from './api-errors.js';

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

/**
 * Runs a read-modify-write `op` again while it fails with 409 Conflict (the object changed between
 * the read and the guarded write), as client-go's RetryOnConflict does: a few quick attempts, since
 * each one re-reads. Any other error, or a conflict on the last attempt, propagates.
 */
export function retryOnConflict<T>(op: () => Promise<T>, attempts = 5): Promise<T> {
  return pRetry(op, {
    retries: attempts - 1,
    factor: 1,
    minTimeout: 10,
    randomize: true,
    shouldRetry: (err) => isConflict(err),
  });
}
