// Polling with a deadline, for waits on child processes on a loaded machine. A timeout says what was
// awaited and what was last seen.

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export async function pollUntil<T>(
  description: string,
  probe: () => Promise<T | undefined>,
  opts: { timeoutMs: number; intervalMs?: number },
): Promise<T> {
  const start = Date.now();
  let lastSeen = 'nothing yet';
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
      lastSeen = 'not ready';
    } catch (err) {
      lastSeen = err instanceof Error ? err.message : String(err);
    }
    if (Date.now() - start >= opts.timeoutMs) {
      throw new Error(`timed out after ${opts.timeoutMs} ms waiting for ${description}; last seen: ${lastSeen}`);
    }
    await sleep(opts.intervalMs ?? 100);
  }
}
