// A UDP listener inside the test's network namespace (a node:dgram socket in a child process started
// with `ip netns exec`), for tests that check what the guest's kernel sent.
import type { ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { registerCleanup } from './cleanup.js';
import { KernelTestBedError } from './errors.js';
import type { Netns } from './netns.js';

export interface SunkDatagram {
  source: string;
  sourcePort: number;
  payload: Buffer;
  /** ms since the epoch, when the listener received it. */
  receivedAt: number;
}

export interface UdpSink {
  datagrams(): readonly SunkDatagram[];
  /** Resolves with the first datagram whose payload text matches; rejects after `timeoutMs` listing what came. */
  waitFor(pattern: RegExp, timeoutMs: number): Promise<SunkDatagram>;
  close(): Promise<void>;
}

const LISTENER = `
const dgram = require('node:dgram');
const [host, port] = [process.argv[1], Number(process.argv[2])];
const socket = dgram.createSocket({ type: host.includes(':') ? 'udp6' : 'udp4' });
socket.on('message', (msg, rinfo) => {
  process.stdout.write(JSON.stringify({ s: rinfo.address, p: rinfo.port, d: msg.toString('base64'), t: Date.now() }) + '\\n');
});
socket.bind(port, host, () => process.stdout.write(JSON.stringify({ listening: true }) + '\\n'));
`;

interface ListenerLine {
  listening?: boolean;
  s?: string;
  p?: number;
  d?: string;
  t?: number;
}

/** Starts the listener on `host:port` inside `netns` and resolves once it is bound. */
export async function startUdpSink(netns: Netns, host: string, port: number): Promise<UdpSink> {
  const child: ChildProcess = netns.spawn(process.execPath, ['-e', LISTENER, host, String(port)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const pid = child.pid;
  const unregister = registerCleanup(() => {
    if (pid !== undefined) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
  });
  const received: SunkDatagram[] = [];
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  const listening = new Promise<void>((resolve, reject) => {
    child.on('exit', (code) => reject(new KernelTestBedError('COMMAND_FAILED', `UDP listener exited with ${code}: ${stderr}`)));
    if (child.stdout === null) return;
    createInterface({ input: child.stdout }).on('line', (line) => {
      const parsed = JSON.parse(line) as ListenerLine;
      if (parsed.listening === true) {
        resolve();
        return;
      }
      if (parsed.s !== undefined && parsed.p !== undefined && parsed.d !== undefined && parsed.t !== undefined) {
        received.push({ source: parsed.s, sourcePort: parsed.p, payload: Buffer.from(parsed.d, 'base64'), receivedAt: parsed.t });
      }
    });
  });
  const close = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
    unregister();
  };
  try {
    await listening;
  } catch (err) {
    await close();
    throw err;
  }
  const waitFor = (pattern: RegExp, timeoutMs: number): Promise<SunkDatagram> => {
    const deadline = Date.now() + timeoutMs;
    return new Promise((resolve, reject) => {
      const tick = (): void => {
        const hit = received.find((d) => pattern.test(d.payload.toString('utf8')));
        if (hit !== undefined) {
          resolve(hit);
          return;
        }
        if (Date.now() > deadline) {
          const seen = received.slice(-10).map((d) => d.payload.toString('utf8').trimEnd());
          reject(
            new KernelTestBedError(
              'TIMEOUT',
              `no datagram matching ${String(pattern)} within ${timeoutMs} ms; ${received.length} received, last:\n${seen.join('\n')}`,
            ),
          );
          return;
        }
        setTimeout(tick, 50);
      };
      tick();
    });
  };
  return { datagrams: () => received, waitFor, close };
}
