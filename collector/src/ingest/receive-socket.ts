// What the UDP listener needs from a receive path (node:dgram or the recvmmsg batch addon).

/** Which receive path runs: the batch addon (`native`) or Node's per-datagram sockets (`dgram`). */
export type ReceiverKind = 'native' | 'dgram';

/** `auto` takes the batch addon when it is built and loads, else node:dgram. */
export const RECEIVER_CHOICES = ['auto', 'native', 'dgram'] as const;
export type ReceiverChoice = (typeof RECEIVER_CHOICES)[number];

export interface ReceiveHandlers {
  /** Called before the datagrams of one wake-up (always 1 datagram on the dgram path). */
  onBatch: (datagrams: number, bytes: number) => void;
  /** `payload` may be a view into a batch buffer; `source` as the socket reports it (may be IPv4-mapped). */
  onDatagram: (payload: Buffer, source: string, sourcePort: number) => void;
  onError: (err: Error) => void;
}

export interface ReceiveSocket {
  /** `HOST:PORT` as bound (IPv6 in brackets), with the actual port when 0 was asked. */
  address: string;
  /** SO_RCVBUF as the kernel reports it (Linux reports twice the usable size). */
  grantedRecvBufferBytes: number;
  close(): Promise<void>;
}
