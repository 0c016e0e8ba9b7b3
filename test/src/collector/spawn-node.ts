// Launching `node <args>` with its output in a log file. The collector process harness takes a launcher
// so that callers choose where the process runs (here, or inside a network namespace) and what watches
// over it; `spawnNode` is the plain one: a child of this process, output appended to the log file.
import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import type { ExitInfo, ManagedProcess } from '../cluster/processes.js';

export interface NodeLaunch {
  /** Short name for messages, e.g. `collector del`. */
  name: string;
  /** Arguments after the Node.js executable: Node.js flags, the script, then its own arguments. */
  args: string[];
  /** stdout and stderr are appended here. */
  logPath: string;
  /** The whole environment of the process (a launcher that isolates the process may set its own). */
  env: NodeJS.ProcessEnv;
  cwd: string;
}

/**
 * What a launcher returns: the cluster harness's ManagedProcess minus its names. `stop(graceMs)`
 * sends SIGTERM, SIGKILL after `graceMs`, and resolves when the process is gone; `killSync()` sends
 * SIGKILL without waiting and does nothing once the process has exited.
 */
export type NodeProcess = Pick<ManagedProcess, 'pid' | 'exited' | 'exitInfo' | 'stop' | 'killSync'>;

export type LaunchNode = (launch: NodeLaunch) => NodeProcess;

const DEFAULT_GRACE_MS = 5000;

/**
 * Starts `node <args>` as a child of this process. The child is SIGKILLed when this process exits
 * normally; signal handling is left to the caller (e.g. a launcher that wraps this one).
 */
export function spawnNode(launch: NodeLaunch): NodeProcess {
  const fd = openSync(launch.logPath, 'a');
  let child;
  try {
    child = spawn(process.execPath, launch.args, { cwd: launch.cwd, env: launch.env, stdio: ['ignore', fd, fd] });
  } finally {
    closeSync(fd);
  }
  const pid = child.pid;
  if (pid === undefined) throw new Error(`${launch.name}: could not start ${process.execPath}`);
  let info: ExitInfo | undefined;
  // Once the child has exited its pid may be reused; never signal it then.
  const signal = (name: NodeJS.Signals): void => {
    if (info === undefined) child.kill(name);
  };
  const killSync = (): void => signal('SIGKILL');
  process.on('exit', killSync);
  const exited = new Promise<ExitInfo>((resolve) => {
    const settle = (value: ExitInfo): void => {
      info ??= value;
      process.off('exit', killSync);
      resolve(info);
    };
    child.once('exit', (code, sig) => settle({ code, signal: sig }));
    child.once('error', () => settle({ code: null, signal: null }));
  });
  const stop = async (graceMs = DEFAULT_GRACE_MS): Promise<void> => {
    signal('SIGTERM');
    const escalate = setTimeout(killSync, graceMs);
    await exited;
    clearTimeout(escalate);
  };
  return { pid, exited, exitInfo: () => info, stop, killSync };
}
