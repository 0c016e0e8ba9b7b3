// Long-running host-side processes of the scenarios (collectors, forwarders, the CLI) inside the test's
// network namespace: `ip netns exec <ns> node …`, each in its own process group, output in a log file,
// killed with SIGKILL when the test process dies (parent-death signal) or is interrupted.
import { spawn } from 'node:child_process';
import type { Netns } from '@lastgasp/testbed/kernel';
import { registerCleanup } from '../kernel/cleanup.js';
import { logTail, startProcess, type ManagedProcess } from '../cluster/processes.js';
import { REPO_ROOT, TSX_LOADER } from './paths.js';

/** Node.js arguments that run a workspace's TypeScript entry point from source. */
export function nodeFromSource(entry: string): string[] {
  return ['--conditions=lastgasp-source', '--import', TSX_LOADER, entry];
}

export interface NetnsProcess extends ManagedProcess {
  logTail(lines?: number): string;
}

/** Starts `node <args>` in `netns` with cwd at the repository root; stops with SIGTERM then SIGKILL. */
export function startNodeInNetns(netns: Netns, name: string, args: string[], logPath: string): NetnsProcess {
  const p = startProcess({
    name,
    command: 'ip',
    args: ['netns', 'exec', netns.name, process.execPath, ...args],
    logPath,
    env: { ...process.env, NODE_OPTIONS: '' },
  });
  const unregister = registerCleanup(() => p.killSync());
  void p.exited.then(unregister);
  return { ...p, logTail: (lines = 40) => logTail(logPath, lines) };
}

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `node <args>` in `netns` to completion (cwd: repository root); kills it after `timeoutMs`. */
export function runNodeInNetns(netns: Netns, args: string[], timeoutMs: number): Promise<RunResult> {
  return runToCompletion('ip', ['netns', 'exec', netns.name, process.execPath, ...args], { ...process.env, NODE_OPTIONS: '' }, timeoutMs);
}

/** Runs `node <args>` on the host, as a user's shell would, with exactly `env`; kills it after `timeoutMs`. */
export function runNodeOnHost(args: string[], env: NodeJS.ProcessEnv, timeoutMs: number): Promise<RunResult> {
  return runToCompletion(process.execPath, args, env, timeoutMs);
}

function runToCompletion(command: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs: number): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'], env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.on('error', (err) => {
      clearTimeout(timer);
      resolve({ code: null, stdout, stderr: `${stderr}${err.message}` });
    });
  });
}
