// Work handed off the critical path: tasks run at most `limit` at a time in submission order, and
// `drain()` says when every task submitted so far has settled.

export interface TaskQueue {
  /** Starts `task` now if fewer than `limit` run, else when one finishes. Never throws. */
  push(task: () => Promise<void>): void;
  /** Resolves once every pushed task has settled; rejects with the first task error, if any. */
  drain(): Promise<void>;
}

export function createTaskQueue(limit: number): TaskQueue {
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`task queue limit must be a positive integer, got ${limit}`);
  const waiting: (() => Promise<void>)[] = [];
  let running = 0;
  let firstError: { error: unknown } | null = null;
  let idle: (() => void)[] = [];

  const settle = (): void => {
    if (running > 0 || waiting.length > 0) return;
    const resolvers = idle;
    idle = [];
    for (const resolve of resolvers) resolve();
  };

  const start = (task: () => Promise<void>): void => {
    running++;
    // Runs synchronously up to the task's first await, as if called in place; a throw becomes a rejection.
    const run = async (): Promise<void> => task();
    run()
      .catch((err: unknown) => {
        firstError ??= { error: err };
      })
      .finally(() => {
        running--;
        const next = waiting.shift();
        if (next !== undefined) start(next);
        else settle();
      });
  };

  return {
    push(task) {
      if (running < limit) start(task);
      else waiting.push(task);
    },
    drain() {
      return new Promise<void>((resolve, reject) => {
        idle.push(() => {
          if (firstError === null) resolve();
          else reject(firstError.error instanceof Error ? firstError.error : new Error(String(firstError.error)));
        });
        settle();
      });
    },
  };
}
