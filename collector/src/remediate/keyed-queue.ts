// One serial queue per key (per Node): tasks for the same key run one after another in submission
// order; tasks for different keys run concurrently. A failing task does not stop the ones behind it.

export interface KeyedQueue {
  push<T>(key: string, task: () => Promise<T>): Promise<T>;
  /** Keys with queued or running work. */
  activeKeys(): string[];
  /** Resolves when every task submitted so far has settled. */
  idle(): Promise<void>;
}

export function createKeyedQueue(): KeyedQueue {
  const tails = new Map<string, Promise<unknown>>();
  return {
    push(key, task) {
      const previous = tails.get(key) ?? Promise.resolve();
      const run = previous.then(task, task);
      const tail = run.then(
        () => undefined,
        () => undefined,
      );
      tails.set(key, tail);
      void tail.then(() => {
        if (tails.get(key) === tail) tails.delete(key);
      });
      return run;
    },
    activeKeys: () => [...tails.keys()],
    async idle() {
      while (tails.size > 0) await Promise.all(tails.values());
    },
  };
}
