// Process-wide list of things to tear down when the test process ends in any way other than the
// owner's own stop(): SIGINT, SIGTERM, SIGHUP, an uncaught error, or a plain exit.
//
// Signals: every registered teardown runs asynchronously (graceful stop); afterwards, if no other
// listener for that signal is left, the signal is raised again so the process ends as it would have.
// Exit (also reached after an uncaught exception): only synchronous work is possible, so each entry's
// `runSync` kills what is left with SIGKILL and removes files.

export interface Teardown {
  name: string;
  /** Graceful teardown; must be idempotent. */
  run(): Promise<void>;
  /** Last-resort teardown on process exit; must be synchronous, idempotent and never throw. */
  runSync(): void;
}

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
/** Upper bound for graceful teardown on a signal, in ms; after it the exit hook finishes the job. */
const SIGNAL_TEARDOWN_BUDGET_MS = 15_000;

const entries = new Set<Teardown>();
let installed = false;

function runAllSync(): void {
  for (const entry of entries) {
    try {
      entry.runSync();
    } catch {
      // runSync must not throw; a failing entry must not keep the others from running.
    }
  }
}

function onSignal(signal: (typeof SIGNALS)[number]): void {
  const all = Promise.allSettled([...entries].map((entry) => entry.run()));
  const budget = new Promise((resolve) => setTimeout(resolve, SIGNAL_TEARDOWN_BUDGET_MS).unref());
  void Promise.race([all, budget]).then(() => {
    uninstall();
    if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
  });
}

const handlers = new Map(SIGNALS.map((signal) => [signal, () => onSignal(signal)] as const));

function install(): void {
  if (installed) return;
  installed = true;
  process.on('exit', runAllSync);
  for (const [signal, handler] of handlers) process.on(signal, handler);
}

function uninstall(): void {
  if (!installed) return;
  installed = false;
  process.off('exit', runAllSync);
  for (const [signal, handler] of handlers) process.off(signal, handler);
}

/** Registers a teardown; the returned function removes it again (call it once the owner stopped cleanly). */
export function registerTeardown(entry: Teardown): () => void {
  entries.add(entry);
  install();
  return () => {
    entries.delete(entry);
    if (entries.size === 0) uninstall();
  };
}
