// Free ports for components that cannot be told to bind port 0 and report it back, and for a port that
// nobody listens on. Asking the kernel for port 0 and closing leaves a small window in which another
// process can take the port: the component then fails to bind, loudly, and the caller picks again.
import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';

export interface FreePortOptions {
  /** Address to bind; default 127.0.0.1. An address with a colon binds IPv6. */
  host?: string;
  /** Default tcp. */
  protocol?: 'tcp' | 'udp';
}

interface Held {
  port: number;
  release(): Promise<void>;
}

function holdTcp(host: string): Promise<Held> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen({ host, port: 0, exclusive: true }, () => {
      const address = server.address();
      if (address === null || typeof address === 'string') {
        server.close();
        reject(new Error(`listener on ${host} has no port`));
        return;
      }
      resolve({ port: address.port, release: () => new Promise<void>((done) => server.close(() => done())) });
    });
  });
}

function holdUdp(host: string): Promise<Held> {
  return new Promise((resolve, reject) => {
    const socket = createSocket(host.includes(':') ? 'udp6' : 'udp4');
    socket.once('error', reject);
    socket.bind(0, host, () => {
      resolve({ port: socket.address().port, release: () => new Promise<void>((done) => socket.close(() => done())) });
    });
  });
}

/**
 * `count` distinct ports that were free on `host` a moment ago: all are bound at once (so they differ),
 * then released.
 */
export async function freePorts(count: number, opts: FreePortOptions = {}): Promise<number[]> {
  const host = opts.host ?? '127.0.0.1';
  const hold = opts.protocol === 'udp' ? holdUdp : holdTcp;
  const held = await Promise.all(Array.from({ length: count }, () => hold(host)));
  await Promise.all(held.map((h) => h.release()));
  return held.map((h) => h.port);
}

/** One port that was free on `host` a moment ago; nothing listens on it when this resolves. */
export async function freePort(opts: FreePortOptions = {}): Promise<number> {
  const [port] = await freePorts(1, opts);
  if (port === undefined) throw new Error('no port');
  return port;
}
