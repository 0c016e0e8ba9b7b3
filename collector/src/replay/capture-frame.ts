// A frame read from a capture file, a frame that could not be used, and the error a corrupt file raises.

export interface CapturedFrame {
  /** LINKTYPE_* value of the interface the frame was captured on. */
  linkType: number;
  /** Capture time, ms since the epoch (fractional), always within what a Date can hold. */
  timestampMs: number;
  data: Buffer;
  /** Byte offset of the record in the file. */
  offset: number;
}

/**
 * A frame the reader skipped and the reading went on: its capture time (timestamp, if_tsresol,
 * if_tsoffset) lies outside what a Date can hold (±8.64e15 ms, about ±273,790 years).
 */
export interface UnusableFrame {
  unusable: 'time-out-of-range';
  detail: string;
  /** Byte offset of the record in the file. */
  offset: number;
}

export type CaptureEntry = CapturedFrame | UnusableFrame;

export function isUnusable(entry: CaptureEntry): entry is UnusableFrame {
  return 'unusable' in entry;
}

/** The largest |ms since the epoch| a Date holds (ECMAScript time values). */
export const MAX_TIME_MS = 8.64e15;

export class CaptureError extends Error {
  readonly code = 'ERR_LASTGASP_CAPTURE_CORRUPT';
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(`${message} at byte offset ${offset}`);
    this.name = 'CaptureError';
  }
}

/** Larger than any snap length in use (262144); guards against garbage lengths. */
export const MAX_FRAME_BYTES = 16 * 1024 * 1024;
