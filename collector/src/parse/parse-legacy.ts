// Legacy netconsole format (`extended=0`): raw console text, no header, no sequence numbers. The
// kernel cuts long output into pieces of up to 1000 bytes, so one datagram can hold several lines or
// part of one; joining pieces needs per-host state (reassemble/legacy-lines.ts).

/** `[ 1234.567890]` (printk.time), optionally followed by a caller id `[T123]`/`[C1]`. */
const PRINTK_TIME = /^\[\s*(\d{1,10})\.(\d{1,9})\](?:\[\s*[TC]\d+\])?\s?/;

export interface LegacyLine {
  /** µs since boot from the printk timestamp prefix, null when the console shows none. */
  timestampUs: number | null;
  /** The line without the timestamp prefix and trailing CR. */
  text: string;
}

export function parseLegacyLine(raw: string): LegacyLine {
  const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
  const match = PRINTK_TIME.exec(line);
  if (match === null) return { timestampUs: null, text: line };
  const seconds = Number(match[1]);
  const fraction = (match[2] ?? '').padEnd(6, '0').slice(0, 6);
  return { timestampUs: seconds * 1_000_000 + Number(fraction), text: line.slice(match[0].length) };
}
