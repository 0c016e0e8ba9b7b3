// Polling with a deadline: the one polling helper of the tests and benchmarks. They wait on real
// components that may be slow on a loaded machine, so a timeout must say what was awaited, for how
// long, and what was last seen.

export interface WaitForOptions {
  /** Total time allowed, in ms. Default 60 000. */
  timeoutMs?: number;
  /** Pause between probes, in ms. Default 250. */
  intervalMs?: number;
  /** Called once on timeout; its output replaces the last probe value in the error message. */
  describe?: () => Promise<string>;
}

export class WaitForTimeoutError extends Error {
  readonly code = 'WAIT_FOR_TIMEOUT';
  constructor(
    readonly description: string,
    readonly elapsedMs: number,
    readonly lastSeen: string,
  ) {
    super(`timed out after ${(elapsedMs / 1000).toFixed(1)} s waiting for ${description}; last seen: ${lastSeen}`);
    this.name = 'WaitForTimeoutError';
  }
}

/** Renders a probe result or a thrown value for a timeout message, bounded to a readable length. */
export function describeValue(value: unknown, maxChars = 2000): string {
  let text: string;
  if (value instanceof Error) {
    text = `${value.name}: ${value.message}`;
  } else if (value === undefined) {
    text = 'undefined';
  } else if (typeof value === 'string') {
    text = JSON.stringify(value);
  } else {
    try {
      text = JSON.stringify(value) ?? typeof value;
    } catch {
      text = `unserialisable ${typeof value}`;
    }
  }
  return text.length > maxChars ? `${text.slice(0, maxChars)}… (${text.length} chars)` : text;
}

/**
 * Calls `probe` (sync or async) until it returns a value other than `undefined` or `false`, and resolves
 * with that value.
 * A probe that throws counts as "not yet". The probe runs at least once, even with a zero timeout.
 * On timeout, rejects with a WaitForTimeoutError.
 */
export async function waitFor<T>(
  description: string,
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  opts: WaitForOptions = {},
): Promise<T> {
  const timeoutMs = opts.timeoutMs ?? 60_000;
  const intervalMs = opts.intervalMs ?? 250;
  const start = Date.now();
  let lastSeen = 'nothing (the probe never completed)';
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
      lastSeen = describeValue(value);
    } catch (err) {
      lastSeen = `error: ${describeValue(err)}`;
    }
    const elapsed = Date.now() - start;
    if (elapsed >= timeoutMs) {
      if (opts.describe) {
        try {
          lastSeen = await opts.describe();
        } catch (err) {
          lastSeen = `${lastSeen} (describe failed: ${describeValue(err)})`;
        }
      }
      throw new WaitForTimeoutError(description, elapsed, lastSeen);
    }
    await new Promise((resolve) => setTimeout(resolve, Math.min(intervalMs, timeoutMs - elapsed)));
  }
}
