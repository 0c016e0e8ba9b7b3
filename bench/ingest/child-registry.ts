// The child processes (receivers, the load generator) this benchmark has started and not yet seen exit, so
// an interrupted run can stop them by pid instead of leaving a collector behind.

const pids = new Set<number>();

export function track(pid: number): void {
  pids.add(pid);
}

export function untrack(pid: number): void {
  pids.delete(pid);
}

/** Sends `signal` to every tracked child; ones already gone are skipped. */
export function signalAll(signal: NodeJS.Signals): void {
  for (const pid of pids) {
    try {
      process.kill(pid, signal);
    } catch {
      // exited between the check and the signal
    }
  }
}
