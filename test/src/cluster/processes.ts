// Child processes of the test cluster: each in its own process group, output appended to a log file,
// stopped by process-group id (SIGTERM, then SIGKILL after a grace period).
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';

export interface ProcessSpec {
  /** Short name for messages, e.g. `kube-apiserver`. */
  name: string;
  command: string;
  args: string[];
  /** stdout and stderr are appended here. */
  logPath: string;
  env?: NodeJS.ProcessEnv;
}

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface ManagedProcess {
  readonly name: string;
  readonly pid: number;
  readonly logPath: string;
  /** Settles when the process has exited (never rejects). */
  readonly exited: Promise<ExitInfo>;
  /** The exit, once it happened. */
  exitInfo(): ExitInfo | undefined;
  /** SIGTERM to the group, SIGKILL after `graceMs` (default 5000); resolves when the process is gone. */
  stop(graceMs?: number): Promise<void>;
  /** SIGKILL to the group without waiting; for the synchronous exit hook. */
  killSync(): void;
}

/**
 * Wraps a command so the kernel kills it when this process dies, even by SIGKILL, where no hook of
 * ours runs. `setpriv` (util-linux) sets the parent-death signal, which survives its exec.
 */
function withParentDeathSignal(command: string, args: string[]): [string, string[]] {
  return ['setpriv', ['--pdeathsig', 'SIGKILL', '--', command, ...args]];
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // ESRCH: the group is already gone.
  }
}

export function startProcess(spec: ProcessSpec): ManagedProcess {
  const fd = openSync(spec.logPath, 'a');
  const [command, args] = withParentDeathSignal(spec.command, spec.args);
  let child;
  try {
    child = spawn(command, args, { detached: true, stdio: ['ignore', fd, fd], env: spec.env ?? process.env });
  } finally {
    closeSync(fd);
  }
  const pid = child.pid;
  if (pid === undefined) throw new Error(`${spec.name}: could not start ${spec.command}`);
  let info: ExitInfo | undefined;
  const exited = new Promise<ExitInfo>((resolve) => {
    child.once('exit', (code, signal) => {
      info = { code, signal };
      resolve(info);
    });
    child.once('error', () => {
      info ??= { code: null, signal: null };
      resolve(info);
    });
  });
  const stop = async (graceMs = 5000): Promise<void> => {
    if (info) return;
    // Components here start no children of their own, so the group is the leader alone.
    signalGroup(pid, 'SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const escalate = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        signalGroup(pid, 'SIGKILL');
        resolve();
      }, graceMs);
    });
    await Promise.race([exited, escalate]);
    clearTimeout(timer);
    await exited;
  };
  return {
    name: spec.name,
    pid,
    logPath: spec.logPath,
    exited,
    exitInfo: () => info,
    stop,
    // Once the leader has exited its id may be reused; never signal it then.
    killSync: () => {
      if (!info) signalGroup(pid, 'SIGKILL');
    },
  };
}

/** The last `lines` lines of a log file, for error messages; empty if it cannot be read. */
export function logTail(path: string, lines = 30): string {
  try {
    const text = readFileSync(path, 'utf8');
    return text.split('\n').slice(-lines - 1).join('\n').trimEnd();
  } catch {
    return '';
  }
}
