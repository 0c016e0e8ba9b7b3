// Types of replay-send.mjs, for the tests that import it.
export declare class CaptureError extends Error {}

export interface CapturedDatagram {
  /** Capture time, ms since the epoch. */
  atMs: number;
  srcPort: number;
  dstPort: number;
  payload: Buffer;
}

export declare function readPcapUdp(buf: Buffer): CapturedDatagram[];
export declare function parseHostPort(text: string): { host: string; port: number };
