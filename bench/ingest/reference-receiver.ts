// The C reference receiver as a Receiver: `listening <port>` on start, one JSON counts line per SIGUSR1.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { track, untrack } from './child-registry.js';
import type { Receiver, ReceiverCounts } from './receiver.js';

interface RefCounts {
  datagrams: number;
  bytes: number;
  socketDrops: number;
  rcvbufBytes: number;
}

function parseRefCounts(line: string): RefCounts | undefined {
  if (!line.startsWith('{')) return undefined;
  const value: unknown = JSON.parse(line);
  if (typeof value !== 'object' || value === null) return undefined;
  const r = value as Record<string, unknown>;
  if (typeof r.datagrams !== 'number' || typeof r.bytes !== 'number') return undefined;
  return {
    datagrams: r.datagrams,
    bytes: r.bytes,
    socketDrops: typeof r.socketDrops === 'number' ? r.socketDrops : 0,
    rcvbufBytes: typeof r.rcvbufBytes === 'number' ? r.rcvbufBytes : 0,
  };
}

export async function startReferenceReceiver(binary: string, opts: { host: string; recvBufferBytes: number }): Promise<Receiver> {
  const child = spawn(binary, ['--listen', `${opts.host}:0`, '--rcvbuf', String(opts.recvBufferBytes)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error(`could not start ${binary}`);
  track(pid);
  const lines = createInterface({ input: child.stdout });
  const waiting: ((line: string) => void)[] = [];
  const backlog: string[] = [];
  lines.on('line', (line) => {
    const next = waiting.shift();
    if (next) next(line);
    else backlog.push(line);
  });
  let exited = false;
  const exit = new Promise<void>((resolve) =>
    child.once('exit', () => {
      exited = true;
      untrack(pid);
      resolve();
    }),
  );
  const nextLine = (timeoutMs: number) =>
    new Promise<string>((resolve, reject) => {
      const queued = backlog.shift();
      if (queued !== undefined) return resolve(queued);
      if (exited) return reject(new Error('reference receiver exited'));
      const timer = setTimeout(() => reject(new Error(`reference receiver said nothing for ${timeoutMs} ms`)), timeoutMs);
      waiting.push((line) => { clearTimeout(timer); resolve(line); });
    });

  const first = await nextLine(10_000);
  const match = /^listening (\d+)$/.exec(first);
  if (!match?.[1]) {
    child.kill('SIGKILL');
    throw new Error(`reference receiver did not start: ${first}`);
  }
  const port = Number(match[1]);
  const stop = async () => {
    if (!exited) child.kill('SIGTERM');
    await exit;
  };
  const counts = async (): Promise<ReceiverCounts> => {
    child.kill('SIGUSR1');
    const parsed = parseRefCounts(await nextLine(10_000));
    if (!parsed) throw new Error('reference receiver printed something other than its counts');
    return { received: parsed.datagrams, parsed: parsed.datagrams };
  };
  return { name: 'reference', pid, host: opts.host, port, counts, stop };
}
