export interface BatchSocket {
  /** The bound port (the actual one when 0 was asked). */
  readonly port: number;
  /** SO_RCVBUF as the kernel reports it (twice the usable size on Linux). */
  readonly recvBufferBytes: number;
  close(): void;
}

export interface BatchReceiverOptions {
  /** An IPv4 or IPv6 address literal; `::` with ipv6Only false receives IPv4 too. */
  host: string;
  port: number;
  recvBufferBytes: number;
  ipv6Only?: boolean;
  /** Called once per wake-up before its datagrams: how many follow and their payload bytes in all. */
  onBatch?(datagrams: number, bytes: number): void;
  /** Called once per datagram, in arrival order; `payload` is a view into the batch's buffer. */
  onDatagram(payload: Buffer, source: string, sourcePort: number): void;
  /** Source address strings kept for reuse. Default 65536. */
  maxCachedAddresses?: number;
}

export interface BatchReceiver {
  open(options: BatchReceiverOptions): BatchSocket;
}

/** null when the addon is not built (run collector/native/build.sh) or does not load here. */
export function loadBatchReceiver(): BatchReceiver | null;

export function formatIPv6(w0: number, w1: number, w2: number, w3: number): string;
