// Ingest stage: dual-stack UDP socket(s) turning each datagram into a Datagram. The receive handler
// only queues (bounded); parsing runs in setImmediate batches so the socket keeps draining. Two receive
// paths: the recvmmsg batch addon when it is built (one JS call per wake-up), else node:dgram.
// The queue is bounded by count and by bytes: a queued datagram from the batch addon is a view that
// keeps its wake-up's buffer alive, and the queue is FIFO, so what it holds is about the payload
// bytes queued (plus one partly handled batch).
import { isIP } from 'node:net';
import type { Datagram } from '../types.js';
import { normaliseAddress } from './normalise-address.js';
import { openDgramSockets } from './receive-dgram.js';
import { loadNativeReceiver, openNativeSockets } from './receive-native.js';
import type { ReceiveHandlers, ReceiverChoice, ReceiverKind, ReceiveSocket } from './receive-socket.js';
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
  /** Bytes the waiting datagrams may hold (payload and per-datagram overhead); beyond, new ones are dropped (counted). Default 32 MiB. */
  maxQueueBytes?: number;
  /** Datagrams handed to onDatagram per event-loop turn. Default 512. */
  batchSize?: number;
  /** Sources tracked for per-source rates. Default 16384. */
  maxSources?: number;
  /** ms since the epoch; injectable for tests. */
  now?: () => number;
  /** `auto` (default): the batch addon when it loads, else node:dgram. `native` fails when it does not load. */
  receiver?: ReceiverChoice;
}

export interface UdpListenerStats {
  datagrams: number;
  bytes: number;
  /** Datagrams dropped because the parse queue was full (by count or by bytes). */
  queueDropped: number;
  queued: number;
  /** Bytes the queued datagrams hold. */
  queuedBytes: number;
  /** Errors onDatagram threw (a bug, not bad input): counted so receiving continues. */
  handlerErrors: number;
  sources: number;
  topSources: SourceRate[];
}

export interface UdpListener {
  /** The receive path in use. */
  receiver: ReceiverKind;
  /** `HOST:PORT` of every bound socket (IPv6 in brackets), with the actual port when 0 was asked. */
  addresses: string[];
  grantedRecvBufferBytes: number;
  stats(): UdpListenerStats;
  /** The plain counters of `stats()`, without the per-source ranking (cheap enough for every scrape). */
  counters(): Pick<UdpListenerStats, 'datagrams' | 'bytes' | 'queueDropped' | 'handlerErrors' | 'queuedBytes'>;
  close(): Promise<void>;
}

/** Handled entries are cut off the queue's front once this many pile up under sustained load. */
const COMPACT_AFTER = 4096;

export const DEFAULT_RECV_BUFFER_BYTES = 32 * 1024 * 1024;
export const DEFAULT_MAX_QUEUE = 65536;
export const DEFAULT_MAX_QUEUE_BYTES = 32 * 1024 * 1024;
/** Bytes a queued datagram holds beyond its payload: the Datagram, the payload's Buffer object, the slot. */
export const QUEUED_DATAGRAM_OVERHEAD_BYTES = 160;

function queuedBytesOf(datagram: Datagram): number {
  return datagram.payload.length + QUEUED_DATAGRAM_OVERHEAD_BYTES;
}

export async function startUdpListener(options: UdpListenerOptions): Promise<UdpListener> {
  const host = options.host ?? '::';
  const requested = options.recvBufferBytes ?? DEFAULT_RECV_BUFFER_BYTES;
  const maxQueue = options.maxQueue ?? DEFAULT_MAX_QUEUE;
  const maxQueueBytes = options.maxQueueBytes ?? DEFAULT_MAX_QUEUE_BYTES;
  const batchSize = options.batchSize ?? 512;
  const now = options.now ?? Date.now;
  const rates = createSourceRates(options.maxSources ?? 16384);
  const counts = { datagrams: 0, bytes: 0, queueDropped: 0, handlerErrors: 0 };
  /** Handled slots are cleared at once (a kept view would keep its batch); the front is cut off later. */
  let queue: (Datagram | undefined)[] = [];
  let head = 0;
  let queuedBytes = 0;
  let scheduled = false;
  let closed = false;
  /** Time of the current wake-up: every datagram of one batch gets the same receivedAt. */
  let batchAt = 0;

  function drain(): void {
    scheduled = false;
    const end = Math.min(queue.length, head + batchSize);
    for (; head < end; head++) {
      const datagram = queue[head];
      if (datagram === undefined) continue;
      queue[head] = undefined;
      queuedBytes -= queuedBytesOf(datagram);
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

  const handlers = (normalise: boolean): ReceiveHandlers => ({
    onBatch(datagrams, bytes) {
      batchAt = now();
      counts.datagrams += datagrams;
      counts.bytes += bytes;
    },
    onDatagram(payload, address, sourcePort) {
      const source = normalise ? normaliseAddress(address) : address;
      rates.record(source, payload.length, batchAt);
      const datagram: Datagram = { source, sourcePort, payload, receivedAt: batchAt };
      const bytes = queuedBytesOf(datagram);
      if (queue.length - head >= maxQueue || queuedBytes + bytes > maxQueueBytes) {
        counts.queueDropped++;
        return;
      }
      queuedBytes += bytes;
      queue.push(datagram);
      schedule();
    },
    onError: (err) => options.logger.warn({ err }, 'UDP socket error'),
  });

  const { receiver, sockets, fallbackReason } = await openSockets(options.receiver ?? 'auto', host, options.port, requested, handlers);
  const granted = Math.min(...sockets.map((socket) => socket.grantedRecvBufferBytes));
  const addresses = sockets.map((socket) => socket.address);
  const fields = { addresses, receiver, requestedRecvBufferBytes: requested, grantedRecvBufferBytes: granted };
  if (fallbackReason !== null) options.logger.info({ receiver, reason: fallbackReason }, 'batch receiver not used; receiving with node:dgram');
  if (granted < requested) {
    options.logger.warn(fields, 'UDP receive buffer smaller than requested (raise net.core.rmem_max)');
  } else {
    options.logger.info(fields, 'listening for netconsole datagrams');
  }

  return {
    receiver,
    addresses,
    grantedRecvBufferBytes: granted,
    stats: () => ({
      ...counts,
      queued: queue.length - head,
      queuedBytes,
      sources: rates.size(),
      topSources: rates.top(10, now()),
    }),
    counters: () => ({ ...counts, queuedBytes }),
    async close() {
      closed = true;
      await Promise.all(sockets.map((socket) => socket.close()));
      // Hand over what was already received: nothing accepted is silently lost at shutdown.
      while (head < queue.length) drain();
    },
  };
}

interface OpenedSockets {
  receiver: ReceiverKind;
  sockets: ReceiveSocket[];
  /** Why `auto` fell back to node:dgram; null when it did not. */
  fallbackReason: string | null;
}

/** The addon takes address literals only (no host names, no IPv6 zones). */
function isAddressLiteral(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '');
  return isIP(bare) !== 0 && !bare.includes('%');
}

async function openSockets(
  choice: ReceiverChoice,
  host: string,
  port: number,
  recvBufferBytes: number,
  handlers: (normalise: boolean) => ReceiveHandlers,
): Promise<OpenedSockets> {
  let fallbackReason: string | null = null;
  if (choice !== 'dgram') {
    const native = isAddressLiteral(host) ? await loadNativeReceiver() : null;
    if (native !== null) {
      return { receiver: 'native', sockets: openNativeSockets(native, host, port, recvBufferBytes, handlers(false)), fallbackReason };
    }
    fallbackReason = isAddressLiteral(host)
      ? 'the recvmmsg addon is not built or does not load (collector/native/build.sh)'
      : `listen host "${host}" is not an IP address literal`;
    if (choice === 'native') throw new Error(`UDP receiver "native" requested, but ${fallbackReason}`);
  }
  return { receiver: 'dgram', sockets: await openDgramSockets(host, port, recvBufferBytes, handlers(true)), fallbackReason };
}
