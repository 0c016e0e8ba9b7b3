// Runs iproute2's `ip` without a shell: asynchronously for set-up and checks, synchronously for the
// exit hook (where nothing can be awaited).
import { execFile, execFileSync } from 'node:child_process';
import { NetworkFixtureError } from './network-fixture-errors.js';

export interface IpResult {
  ok: boolean;
  stdout: string;
  stderr: string;
}

/** Runs `ip args`; never rejects on a non-zero exit. */
export function runIp(args: readonly string[]): Promise<IpResult> {
  return new Promise((resolve) => {
    execFile('ip', args, { encoding: 'utf8', timeout: 30_000 }, (error, stdout, stderr) => {
      resolve({ ok: error === null, stdout, stderr: error !== null && stderr === '' ? error.message : stderr });
    });
  });
}

/** Runs `ip args`; a non-zero exit is a COMMAND_FAILED error naming the command and its stderr. */
export async function ip(args: readonly string[]): Promise<string> {
  const result = await runIp(args);
  if (!result.ok) throw new NetworkFixtureError('COMMAND_FAILED', `ip ${args.join(' ')}: ${result.stderr.trim()}`);
  return result.stdout;
}

/** Runs `ip -j args` and parses its JSON output (an empty output is an empty list). */
export async function ipJson<T>(args: readonly string[]): Promise<T[]> {
  const out = (await ip(['-j', ...args])).trim();
  return out === '' ? [] : (JSON.parse(out) as T[]);
}

/** Runs `ip args` synchronously, ignoring failure; for teardown from the exit hook. */
export function ipQuietlySync(args: readonly string[]): void {
  try {
    execFileSync('ip', args, { stdio: 'ignore', timeout: 10_000 });
  } catch {
    // Best effort: what is already gone needs no undoing.
  }
}
