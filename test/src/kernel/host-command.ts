// Runs a host program to completion and collects its output. Programs run without a shell.
import { execFile } from 'node:child_process';
import { KernelTestBedError } from './errors.js';

export interface HostCommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `file args` and resolves with its exit code and output; never rejects on a non-zero exit. */
export function runHost(file: string, args: readonly string[], options: { cwd?: string } = {}): Promise<HostCommandResult> {
  return new Promise((resolve) => {
    execFile(file, args, { cwd: options.cwd, maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' }, (error, stdout, stderr) => {
      if (error === null) {
        resolve({ code: 0, stdout, stderr });
        return;
      }
      const code = typeof error.code === 'number' ? error.code : 127;
      resolve({ code, stdout, stderr: stderr === '' ? error.message : stderr });
    });
  });
}

/** Like runHost, but a non-zero exit is a COMMAND_FAILED error naming the command and its stderr. */
export async function mustRunHost(file: string, args: readonly string[], options: { cwd?: string } = {}): Promise<string> {
  const result = await runHost(file, args, options);
  if (result.code !== 0) {
    throw new KernelTestBedError(
      'COMMAND_FAILED',
      `${file} ${args.join(' ')} exited with ${result.code}: ${result.stderr.trim().slice(-2000)}`,
    );
  }
  return result.stdout;
}
