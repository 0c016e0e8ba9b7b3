// What the parse stage hands to reassembly: one datagram → one frame (extended), several lines
// (legacy) or an error value. Nothing here throws on network input.

/** Reasons a datagram is refused by the parser; each is counted separately. */
export const PARSE_ERROR_REASONS = [
  'empty',
  'too-long',
  'bad-header',
  'bad-fragment',
] as const;
export type ParseErrorReason = (typeof PARSE_ERROR_REASONS)[number];

export interface ParseError {
  ok: false;
  reason: ParseErrorReason;
  detail: string;
}

/**
 * One extended-format datagram: the /dev/kmsg header fields and the (possibly partial) body.
 * The body is `text\n` followed by zero or more ` key=value\n` lines; when `fragment` is set it is
 * only the bytes [offset, offset + body.length) of that body.
 */
export interface ExtendedFrame {
  ok: true;
  format: 'extended';
  /** Kernel release from the optional `<release>,` prefix (netconsole `release=1`). */
  release: string | null;
  /** syslog facility (prefix >> 3): 0 = kernel; ≥ 1 = written by userspace to /dev/kmsg. */
  facility: number;
  /** syslog level (prefix & 7). */
  level: number;
  seq: number;
  /** Kernel monotonic timestamp of the record, µs since boot. */
  timestampUs: number;
  /** `c` (first part of a continued line) or `+` (a continuation part) in the flags field. */
  continuation: boolean;
  fragment: { offset: number; total: number } | null;
  body: Buffer;
}

/** One line of legacy (plain console) output, possibly cut short where a datagram ended. */
export interface LegacyFrame {
  ok: true;
  format: 'legacy';
  /** Raw text of the datagram; line splitting needs the host's carry-over, so it happens later. */
  text: string;
}

export type ParsedFrame = ExtendedFrame | LegacyFrame;
export type ParseResult = ParsedFrame | ParseError;

/** A complete kernel record after reassembly: what host context and the classifier see. */
export interface KernelRecord {
  format: 'extended' | 'legacy';
  /** null in legacy format (console output has no facility: trusted or refused as a whole). */
  facility: number | null;
  level: number | null;
  seq: number | null;
  /** µs since boot: from the extended header, or the legacy `[ 1234.567890]` prefix; else null. */
  timestampUs: number | null;
  continuation: boolean;
  release: string | null;
  /** Message text without header or timestamp prefix; `\xNN` escapes from the kernel are kept. */
  text: string;
  userdata: Record<string, string>;
}

export function parseError(reason: ParseErrorReason, detail: string): ParseError {
  return { ok: false, reason, detail };
}
