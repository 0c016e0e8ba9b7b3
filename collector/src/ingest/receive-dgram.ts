// node:dgram receive path: one socket per listen address, one JS callback per datagram. Always
// available; the listener uses it when the batch receiver addon is not built or `dgram` is asked for.
import { createSocket, type Socket } from 'node:dgram';
import type { ReceiveHandlers, ReceiveSocket } from './receive-socket.js';

/** `::` → one dual-stack socket (falling back to IPv4 when the host has no IPv6); else one socket. */
export async function openDgramSockets(
  host: string,
  port: number,
  recvBufferBytes: number,
  handlers: ReceiveHandlers,
): Promise<ReceiveSocket[]> {
  const sockets = await bindSockets(host, port, recvBufferBytes);
  return sockets.map((socket) => {
    socket.on('message', (payload, rinfo) => {
      handlers.onBatch(1, payload.length);
      handlers.onDatagram(payload, rinfo.address, rinfo.port);
    });
    socket.on('error', handlers.onError);
    const bound = socket.address();
    return {
      address: bound.family === 'IPv6' ? `[${bound.address}]:${bound.port}` : `${bound.address}:${bound.port}`,
      grantedRecvBufferBytes: socket.getRecvBufferSize(),
      close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
    };
  });
}

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

/** Errors meaning "this host has no such address family" (a kernel without IPv6). */
export function isAddressFamilyError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === 'EAFNOSUPPORT' || code === 'EADDRNOTAVAIL' || code === 'EPROTONOSUPPORT';
}
