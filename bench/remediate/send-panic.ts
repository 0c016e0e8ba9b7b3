// A kernel panic as netconsole sends it (extended format, one record per datagram), from a given
// source address, so the collector ties it to the Node that reports that address.
import { createSocket, type Socket } from 'node:dgram';
import { formatExtended } from '@lastgasp/collector';

const PANIC_LINE = 'Kernel panic - not syncing: sysrq triggered crash';

function send(socket: Socket, datagram: Buffer, port: number): Promise<void> {
  return new Promise((resolve, reject) => socket.send(datagram, port, '127.0.0.1', (err) => (err ? reject(err) : resolve())));
}

/**
 * Sends the line before the panic, the panic line and one trailing line from `fromIp` to the collector
 * on 127.0.0.1:`port`. Resolves with `performance.now()` taken just before the panic line left: the
 * origin of every latency the benchmark reports.
 */
export async function sendPanic(fromIp: string, port: number, seq: number): Promise<number> {
  const socket = createSocket('udp4');
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind({ address: fromIp, port: 0 }, () => {
        socket.off('error', reject);
        resolve();
      });
    });
    const record = (i: number, text: string, level: number) => formatExtended({ seq: seq + i, timestampUs: (seq + i) * 1000, text, level });
    for (const d of record(0, 'sysrq: Trigger a crash', 6)) await send(socket, d, port);
    const sentAt = performance.now();
    for (const d of record(1, PANIC_LINE, 0)) await send(socket, d, port);
    for (const d of record(2, 'CPU: 0 PID: 1 Comm: sh Not tainted 6.1.0-56-amd64 #1  Debian 6.1.158-1', 4)) await send(socket, d, port);
    return sentAt;
  } finally {
    socket.close();
  }
}
