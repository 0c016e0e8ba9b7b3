// A frame read from a capture file, and the error a corrupt file raises.

export interface CapturedFrame {
  /** LINKTYPE_* value of the interface the frame was captured on. */
  linkType: number;
  /** Capture time, ms since the epoch (fractional). */
  timestampMs: number;
  data: Buffer;
  /** Byte offset of the record in the file. */
  offset: number;
}

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
