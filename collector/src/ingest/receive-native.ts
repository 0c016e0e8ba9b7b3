// Batch receive path: the optional recvmmsg addon (collector/native) reads up to 256 datagrams per
// wake-up and makes one JS call for all of them. Source addresses arrive already normalised
// (IPv4-mapped IPv6 as IPv4, IPv6 in RFC 5952 text).
import ipaddr from 'ipaddr.js';
import type { BatchReceiver } from '../../native/recvmmsg.js';
import { isAddressFamilyError } from './receive-dgram.js';
import type { ReceiveHandlers, ReceiveSocket } from './receive-socket.js';

/** Where the addon's loader lives relative to this module (same depth in src/ and dist/). */
const LOADER = '../../native/recvmmsg.js';

/**
 * Loads the addon; null when it was not built (no C compiler where the package was built), does not
 * load here, or its loader is missing: the import is dynamic because a package may ship without the
 * native folder at all. `loader` is the module specifier (tests point it elsewhere).
 */
export async function loadNativeReceiver(loader: string = LOADER): Promise<BatchReceiver | null> {
  try {
    const mod = (await import(loader)) as { loadBatchReceiver(): BatchReceiver | null };
    return mod.loadBatchReceiver();
  } catch {
    return null;
  }
}

/** `::` → one dual-stack socket (IPv4 when the host has no IPv6); else one socket on that address. */
export function openNativeSockets(
  receiver: BatchReceiver,
  host: string,
  port: number,
  recvBufferBytes: number,
  handlers: ReceiveHandlers,
): ReceiveSocket[] {
  const open = (address: string, ipv6Only: boolean): ReceiveSocket => {
    const socket = receiver.open({
      host: address,
      port,
      recvBufferBytes,
      ipv6Only,
      onBatch: handlers.onBatch,
      onDatagram: handlers.onDatagram,
    });
    const text = address.includes(':') ? `[${ipaddr.parse(address).toString()}]` : address;
    return {
      address: `${text}:${socket.port}`,
      grantedRecvBufferBytes: socket.recvBufferBytes,
      close: () => {
        socket.close();
        return Promise.resolve();
      },
    };
  };
  if (host === '::' || host === '[::]') {
    try {
      return [open('::', false)];
    } catch (err) {
      if (!isAddressFamilyError(err)) throw err;
      return [open('0.0.0.0', false)];
    }
  }
  const address = host.replace(/^\[|\]$/g, '');
  return [open(address, address.includes(':'))];
}
