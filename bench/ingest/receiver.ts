// What the benchmark needs from a receiver under test: where to send, and how many datagrams it has
// received and parsed so far (cumulative since it started).

export interface ReceiverCounts {
  /** Datagrams taken off the socket. */
  received: number;
  /** Datagrams that went through the parser (for the reference receiver: equal to received). */
  parsed: number;
}

export interface Receiver {
  readonly name: string;
  readonly pid: number;
  readonly host: string;
  readonly port: number;
  counts(): Promise<ReceiverCounts>;
  /** Stops the process; idempotent. */
  stop(): Promise<void>;
}
