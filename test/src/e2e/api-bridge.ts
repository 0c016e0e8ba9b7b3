// Makes the apiserver, which listens on the host's loopback, reachable inside the test's network
// namespace — from the collectors there (as 127.0.0.1:<port>) and from the guest (as a host-side TAP
// address:<port>). Two halves joined by a Unix socket, which belongs to no network namespace:
//   namespace: TCP 0.0.0.0:<port> → forwarder child → Unix socket
//   host:      Unix socket → this process → TCP 127.0.0.1:<apiserver port>
// TLS passes through untouched, so clients still verify the apiserver's certificate.
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import type { Netns } from '@lastgasp/testbed/kernel';
import { waitFor } from '@lastgasp/testbed/testing';
import { startNodeInNetns, type NetnsProcess } from './netns-process.js';

/** Child in the namespace: argv host, port, unix path; prints `listening <port>` once bound. */
const NETNS_HALF = `
const net = require('node:net');
const [host, port, path] = [process.argv[1], Number(process.argv[2]), process.argv[3]];
const server = net.createServer((inbound) => {
  const outbound = net.createConnection(path);
  inbound.pipe(outbound).pipe(inbound);
  inbound.on('error', () => outbound.destroy());
  outbound.on('error', () => inbound.destroy());
});
server.listen(port, host, () => console.log('listening ' + server.address().port));
`;

export interface ApiBridge {
  /** TCP port of the apiserver inside the namespace, on every address there. */
  port: number;
  close(): Promise<void>;
}

function pipeBoth(a: Socket, b: Socket): void {
  a.pipe(b).pipe(a);
  a.on('error', () => b.destroy());
  b.on('error', () => a.destroy());
}

/** `server` is the apiserver's `https://127.0.0.1:<port>`; `dir` holds the socket and the log. */
export async function startApiBridge(opts: { server: string; netns: Netns; dir: string; port: number }): Promise<ApiBridge> {
  const target = new URL(opts.server);
  const socketPath = join(opts.dir, 'apiserver.sock');
  const sockets = new Set<Socket>();
  const hostHalf: Server = createServer((inbound) => {
    const outbound = createConnection(Number(target.port), target.hostname);
    for (const s of [inbound, outbound]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
    }
    pipeBoth(inbound, outbound);
  });
  await new Promise<void>((resolve, reject) => {
    hostHalf.once('error', reject);
    hostHalf.listen(socketPath, resolve);
  });
  let child: NetnsProcess | null = null;
  const close = async (): Promise<void> => {
    await child?.stop(2000);
    for (const s of sockets) s.destroy();
    await new Promise<void>((resolve) => hostHalf.close(() => resolve()));
  };
  try {
    const logPath = join(opts.dir, 'api-bridge.log');
    child = startNodeInNetns(opts.netns, 'api-bridge', ['-e', NETNS_HALF, '0.0.0.0', String(opts.port), socketPath], logPath);
    const started = child;
    await waitFor('the apiserver bridge to listen in the namespace', () => Promise.resolve(/listening \d+/.test(started.logTail()) || (started.exitInfo() ? 'exited' : false)), {
      timeoutMs: 30_000,
      intervalMs: 50,
      describe: () => Promise.resolve(started.logTail()),
    }).then((state) => {
      if (state === 'exited') throw new Error(`apiserver bridge exited: ${started.logTail()}`);
    });
  } catch (err) {
    await close();
    throw err;
  }
  return { port: opts.port, close };
}
