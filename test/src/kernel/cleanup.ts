// Cleanup on SIGINT/SIGTERM: a test bed registers what must be undone (namespace, QEMU, temp dirs);
// when the test process is interrupted every registered step runs before the process ends. Normal
// teardown unregisters its steps itself.
import { execFileSync } from 'node:child_process';

/** A synchronous undo step: it must work from a signal handler (no awaiting). */
export type SyncCleanup = () => void;

const steps = new Set<SyncCleanup>();
let installed = false;

function runAll(): void {
  for (const step of [...steps].reverse()) {
    try {
      step();
    } catch {
      // Best effort: one failed step must not keep the others from running.
    }
  }
  steps.clear();
}

function onSignal(signal: NodeJS.Signals): void {
  runAll();
  process.removeListener('SIGINT', onSignal);
  process.removeListener('SIGTERM', onSignal);
  process.kill(process.pid, signal);
}

/** Registers a step; returns a function that unregisters it (call it after a normal teardown). */
export function registerCleanup(step: SyncCleanup): () => void {
  if (!installed) {
    installed = true;
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    process.on('exit', runAll);
  }
  steps.add(step);
  return () => {
    steps.delete(step);
  };
}

/** Runs a host program synchronously, ignoring failure; for use inside cleanup steps. */
export function runQuietlySync(file: string, args: readonly string[]): void {
  try {
    execFileSync(file, args, { stdio: 'ignore', timeout: 10_000 });
  } catch {
    // Best effort.
  }
}
