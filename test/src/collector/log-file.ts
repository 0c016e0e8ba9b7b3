// A growing log file read as it grows: each call reads only the bytes appended since the last one, so
// polling a long log stays cheap.
import { closeSync, openSync, readSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { splitLogLines, type LogEntry } from './log-lines.js';

const CHUNK_BYTES = 64 * 1024;

export class LogFile {
  private offset = 0;
  private rest = '';
  private readonly decoder = new StringDecoder('utf8');
  private readonly parsed: LogEntry[] = [];
  private readonly buffer = Buffer.alloc(CHUNK_BYTES);

  constructor(readonly path: string) {}

  /** Every log entry on a complete line so far; empty while the file does not exist. */
  entries(): readonly LogEntry[] {
    const appended = this.readAppended();
    if (appended !== '') {
      const { entries, rest } = splitLogLines(this.rest + appended);
      this.rest = rest;
      this.parsed.push(...entries);
    }
    return this.parsed;
  }

  private readAppended(): string {
    let fd: number;
    try {
      fd = openSync(this.path, 'r');
    } catch {
      return '';
    }
    try {
      let text = '';
      for (let n = this.readAt(fd); n > 0; n = this.readAt(fd)) text += this.decoder.write(this.buffer.subarray(0, n));
      return text;
    } finally {
      closeSync(fd);
    }
  }

  private readAt(fd: number): number {
    const n = readSync(fd, this.buffer, 0, this.buffer.length, this.offset);
    this.offset += n;
    return n;
  }
}
