// Classifies Kubernetes API failures. client-node throws ApiException with `.code` (HTTP status); a
// connection failure arrives as another error type (FetchError, TypeError with a system cause).

export class RequestTimeoutError extends Error {
  readonly code = 'ERR_LASTGASP_REQUEST_TIMEOUT';
  constructor(ms: number) {
    super(`Kubernetes API request timed out after ${ms} ms`);
    this.name = 'RequestTimeoutError';
  }
}

/** HTTP status of an API error, or null when the request never got an HTTP answer. */
export function httpStatus(err: unknown): number | null {
  if (typeof err !== 'object' || err === null) return null;
  if (err.constructor.name === 'ApiException' || 'body' in err) {
    const code = (err as { code?: unknown }).code;
    if (typeof code === 'number' && code >= 100 && code < 600) return code;
  }
  return null;
}

export const isNotFound = (err: unknown): boolean => httpStatus(err) === 404;
export const isConflict = (err: unknown): boolean => httpStatus(err) === 409;

/**
 * Worth retrying: 429, 5xx, our own timeouts, and anything that never got an HTTP status (connection
 * refused/reset, DNS, TLS handshake interrupted). Other 4xx mean the request itself is wrong.
 */
export function isRetryable(err: unknown): boolean {
  if (err instanceof RequestTimeoutError) return true;
  const status = httpStatus(err);
  if (status === null) return true;
  return status === 429 || status >= 500;
}

/** Rejects with RequestTimeoutError when `op` takes longer than `ms` (the request itself is not cancelled). */
export async function withTimeout<T>(op: () => Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new RequestTimeoutError(ms)), ms);
  });
  try {
    return await Promise.race([op(), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export function describeError(err: unknown): string {
  const status = httpStatus(err);
  const message = err instanceof Error ? err.message : String(err);
  return status === null ? message : `HTTP ${status}: ${message.split('\n')[0] ?? ''}`;
}
