// Runs the C load generator once and returns its report of what it actually sent.
import { execFile } from 'node:child_process';
import { track, untrack } from './child-registry.js';

/** Runs `binary` to completion and resolves with its stdout; tracked so an interrupted run stops it. */
function runTracked(binary: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(binary, args, { maxBuffer: 1 << 20 }, (err, stdout) => {
      if (child.pid !== undefined) untrack(child.pid);
      if (err === null) resolve(stdout);
      else reject(new Error(`${binary} failed: ${err.message}`, { cause: err }));
    });
    if (child.pid !== undefined) track(child.pid);
  });
}

export interface LoadOptions {
  target: { host: string; port: number };
  sources: number;
  /** Datagrams per second; 0 = as fast as the generator can. */
  ratePps: number;
  /** Stop after this many seconds (ignored when perSource is set). */
  durationSeconds?: number;
  /** Send exactly this many datagrams from every source, then stop. */
  perSource?: number;
  threads: number;
  /** Datagrams between two panics, over all sources; 0 = none. */
  panicEvery: number;
  /** First address of the source range (each source is one address of 127.0.0.0/8). */
  sourceBase?: string;
  /** Every datagram the first fragment of a record never completed. */
  incompleteFragments?: boolean;
  /** Send exactly this many datagrams in all, then stop (ignored when perSource is set). */
  count?: number;
}

export interface LoadReport {
  sent: number;
  bytes: number;
  seconds: number;
  /** CPU the generator used, s (user + system: the kernel delivers loopback datagrams in the sender's context). */
  cpuSeconds: number;
  targetPps: number;
  achievedPps: number;
  /** How far pacing fell behind schedule at worst, ms. Large values mean the generator was the limit. */
  maxLagMs: number;
  sources: number;
  threads: number;
  panics: number;
  fragments: number;
  sendErrors: number;
  firstError: string;
}

const NUMBER_FIELDS = [
  'sent', 'bytes', 'seconds', 'cpuSeconds', 'targetPps', 'achievedPps', 'maxLagMs', 'sources', 'threads', 'panics',
  'fragments', 'sendErrors',
] as const;

export function parseLoadReport(line: string): LoadReport {
  const value: unknown = JSON.parse(line);
  if (typeof value !== 'object' || value === null) throw new Error(`load generator report is not an object: ${line}`);
  const record = value as Record<string, unknown>;
  for (const field of NUMBER_FIELDS) {
    if (typeof record[field] !== 'number') throw new Error(`load generator report lacks ${field}: ${line}`);
  }
  if (typeof record.firstError !== 'string') throw new Error(`load generator report lacks firstError: ${line}`);
  return value as LoadReport;
}

export async function runLoad(binary: string, opts: LoadOptions): Promise<LoadReport> {
  const args = [
    '--target', `${opts.target.host}:${opts.target.port}`,
    '--sources', String(opts.sources),
    '--rate', String(opts.ratePps),
    '--threads', String(opts.threads),
    '--panic-every', String(opts.panicEvery),
  ];
  if (opts.perSource !== undefined) args.push('--per-source', String(opts.perSource));
  else if (opts.count !== undefined) args.push('--count', String(opts.count));
  else args.push('--duration', String(opts.durationSeconds ?? 1));
  if (opts.incompleteFragments === true) args.push('--incomplete-frags');
  if (opts.sourceBase !== undefined) args.push('--source-base', opts.sourceBase);
  const stdout = await runTracked(binary, args);
  const last = stdout.trim().split('\n').pop() ?? '';
  const report = parseLoadReport(last);
  if (report.sendErrors > 0) throw new Error(`load generator failed to send ${report.sendErrors} datagrams: ${report.firstError}`);
  return report;
}
