// Ingest stage: dual-stack UDP socket(s) turning each datagram into a Datagram. The socket handler
// only copies into a bounded queue; parsing runs in setImmediate batches so the socket keeps draining.
import { createSocket, type Socket } from 'node:dgram';
import type { Datagram } from '../types.js';
import { normaliseAddress } from './normalise-address.js';
import { createSourceRates, type SourceRate } from './source-rates.js';

/** The subset of a pino logger the listener uses. */
export interface ListenerLogger {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
}

export interface UdpListenerOptions {
  /** `::` (default) listens on IPv6 and IPv4 at once; an IPv4 or IPv6 address listens on that only. */
  host?: string;
  port: number;
  /** Requested SO_RCVBUF in bytes; the kernel may grant less (net.core.rmem_max). Default 32 MiB. */
  recvBufferBytes?: number;
  onDatagram(datagram: Datagram): void;
  logger: ListenerLogger;
  /** Datagrams waiting for parsing beyond which new ones are dropped (counted). Default 65536. */
  maxQueue?: number;
  /** Datagrams handed to onDatagram per event-loop turn. Default 512. */
  batchSize?: number;
  /** Sources tracked for per-source rates. Default 16384. */
  maxSources?: number;
  /** ms since the epoch; injectable for tests. */
  now?: () => number;
}

export interface UdpListenerStats {
  datagrams: number;
  bytes: number;
  /** Datagrams dropped because the parse queue was full. */
  queueDropped: number;
  queued: number;
  /** Errors onDatagram threw (a bug, not bad input): counted so receiving continues. */
  handlerErrors: number;
  sources: number;
  topSources: SourceRate[];
}

export interface UdpListener {
  /** `HOST:PORT` of every bound socket (IPv6 in brackets), with the actual port when 0 was asked. */
  addresses: string[];
  grantedRecvBufferBytes: number;
  stats(): UdpListenerStats;
  /** The plain counters of `stats()`, without the per-source ranking (cheap enough for every scrape). */
  counters(): Pick<UdpListenerStats, 'datagrams' | 'bytes' | 'queueDropped' | 'handlerErrors'>;
  close(): Promise<void>;
}

/** Handled entries are cut off the queue's front once this many pile up under sustained load. */
const COMPACT_AFTER = 4096;

export const DEFAULT_RECV_BUFFER_BYTES = 32 * 1024 * 1024;

export async function startUdpListener(options: UdpListenerOptions): Promise<UdpListener> {
  const host = options.host ?? '::';
  const requested = options.recvBufferBytes ?? DEFAULT_RECV_BUFFER_BYTES;
  const maxQueue = options.maxQueue ?? 65536;
  const batchSize = options.batchSize ?? 512;
  const now = options.now ?? Date.now;
  const rates = createSourceRates(options.maxSources ?? 16384);
  const counts = { datagrams: 0, bytes: 0, queueDropped: 0, handlerErrors: 0 };
  let queue: Datagram[] = [];
  let head = 0;
  let scheduled = false;
  let closed = false;

  function drain(): void {
    scheduled = false;
    const end = Math.min(queue.length, head + batchSize);
    for (; head < end; head++) {
      const datagram = queue[head];
      if (datagram === undefined) continue;
      try {
        options.onDatagram(datagram);
      } catch (err) {
        counts.handlerErrors++;
        options.logger.warn({ err, source: datagram.source }, 'datagram handler failed');
      }
    }
    if (head >= queue.length) {
      queue = [];
      head = 0;
      return;
    }
    if (head >= COMPACT_AFTER) {
      queue = queue.slice(head);
      head = 0;
    }
    if (!closed) schedule();
  }

  function schedule(): void {
    if (scheduled) return;
    scheduled = true;
    setImmediate(drain);
  }

  function onMessage(payload: Buffer, rinfo: { address: string; port: number }): void {
    const receivedAt = now();
    counts.datagrams++;
    counts.bytes += payload.length;
    const source = normaliseAddress(rinfo.address);
    rates.record(source, payload.length, receivedAt);
    if (queue.length - head >= maxQueue) {
      counts.queueDropped++;
      return;
    }
    queue.push({ source, sourcePort: rinfo.port, payload, receivedAt });
    schedule();
  }

  const sockets = await bindSockets(host, options.port, requested);
  for (const socket of sockets) {
    socket.on('message', onMessage);
    socket.on('error', (err) => options.logger.warn({ err }, 'UDP socket error'));
  }
  const granted = Math.min(...sockets.map((socket) => socket.getRecvBufferSize()));
  const addresses = sockets.map((socket) => {
    const bound = socket.address();
    return bound.family === 'IPv6' ? `[${bound.address}]:${bound.port}` : `${bound.address}:${bound.port}`;
  });
  const fields = { addresses, requestedRecvBufferBytes: requested, grantedRecvBufferBytes: granted };
  if (granted < requested) {
    options.logger.warn(fields, 'UDP receive buffer smaller than requested (raise net.core.rmem_max)');
  } else {
    options.logger.info(fields, 'listening for netconsole datagrams');
  }

  return {
    addresses,
    grantedRecvBufferBytes: granted,
    stats: () => ({
      ...counts,
      queued: queue.length - head,
      sources: rates.size(),
      topSources: rates.top(10, now()),
    }),
    counters: () => ({ ...counts }),
    async close() {
      closed = true;
      await Promise.all(sockets.map((socket) => new Promise<void>((resolve) => socket.close(() => resolve()))));
      // Hand over what was already received: nothing accepted is silently lost at shutdown.
      while (head < queue.length) drain();
    },
  };
}

/** `::` → one dual-stack socket (falling back to IPv4 when the host has no IPv6); else one socket. */
async function bindSockets(host: string, port: number, recvBufferSize: number): Promise<Socket[]> {
  if (host === '::' || host === '[::]') {
    try {
      return [await bindOne('udp6', '::', port, recvBufferSize, false)];
    } catch (err) {
      if (!isAddressFamilyError(err)) throw err;
      return [await bindOne('udp4', '0.0.0.0', port, recvBufferSize, false)];
    }
  }
  const family = host.includes(':') ? 'udp6' : 'udp4';
  return [await bindOne(family, host.replace(/^\[|\]$/g, ''), port, recvBufferSize, family === 'udp6')];
}

function bindOne(type: 'udp4' | 'udp6', address: string, port: number, recvBufferSize: number, ipv6Only: boolean): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = createSocket({ type, ipv6Only, recvBufferSize, reuseAddr: false });
    const fail = (err: Error): void => {
      socket.close();
      reject(err);
    };
    socket.once('error', fail);
    socket.bind({ address, port, exclusive: true }, () => {
      socket.off('error', fail);
      resolve(socket);
    });
  });
}

function isAddressFamilyError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === 'EAFNOSUPPORT' || code === 'EADDRNOTAVAIL' || code === 'EPROTONOSUPPORT';
}
