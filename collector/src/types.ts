// The collector's shared vocabulary. Stages meet only through these types:
// ingest → parse → reassemble → host context → classify → incident → resolve node → remediate → record.
import type { PanicLineState, ReasonCode } from '@lastgasp/proto/contract';

// The canary line and the reason codes are the wire contract shared with the agent: one definition in
// @lastgasp/proto/contract, re-exported here for the stages.
export {
  CANARY_PREFIX,
  formatCanary,
  isReasonCode,
  PANIC_LINE_STATES,
  REASON_CODES,
  type PanicLineState,
  type ReasonCode,
} from '@lastgasp/proto/contract';

/** One UDP datagram as it left the socket. `receivedAt` is ms since the epoch. */
export interface Datagram {
  /** Sender address, normalised (IPv4-mapped IPv6 → IPv4). */
  source: string;
  sourcePort: number;
  payload: Buffer;
  receivedAt: number;
}

export interface IncidentCause {
  kind: ReasonCode;
  summary: string;
}

/**
 * A classified event in one host's kernel log. Fatal incidents (KernelPanic) lead to remediation.
 *
 * `id` is deterministic from what the kernel sent (source, the key record's sequence number and kernel
 * timestamp in extended format; source, kind and printk timestamp or text in legacy format), so two
 * collector replicas that receive the same datagrams derive the same id.
 */
export interface Incident {
  id: string;
  source: string;
  kind: ReasonCode;
  fatal: boolean;
  /** The key line's text without header or timestamp, e.g. `Kernel panic - not syncing: Fatal exception`. */
  summary: string;
  cause: IncidentCause | null;
  kernelRelease: string | null;
  /** Userdata key=value pairs the kernel appended (6.9+), e.g. `{ node: 'worker-1' }`. */
  userdata: Record<string, string>;
  format: 'extended' | 'legacy';
  firstSeq: number | null;
  lastSeq: number | null;
  /** Context before the key line, the key line, and the trailing lines captured after it (capped). */
  lines: string[];
  /** ms since the epoch, from the clock passed to the pipeline (capture time in replay). */
  openedAt: number;
  updatedAt: number;
  /** Set once the trailing context is complete (end trailer, quiet period or cap). */
  closedAt: number | null;
}

export type IncidentEventType = 'opened' | 'updated' | 'closed';

export interface IncidentEvent {
  type: IncidentEventType;
  incident: Incident;
}

/** What the collector knows about one sending host (for the status API and `lastgasp hosts`). */
export interface HostSnapshot {
  address: string;
  kernelRelease: string | null;
  lastRecordAt: number | null;
  lastSeq: number | null;
  records: number;
  sequenceGaps: number;
  /** Messages lost on the way (sysdata msgid gaps); 0 when the kernel sends no msgid. */
  messagesLost: number;
  /** Records without userdata node= after the host had sent one. */
  recordsWithoutNode: number;
  /** What the wire showed of the sender's netconsole: release, userdata node, sysdata keys. */
  wireFeatures: string[];
  lastCanaryAt: number | null;
  lastCanaryNode: string | null;
  /** What the last canary said: will this node's kernel send its panic at all; null: not said. */
  panicLine: PanicLineState | null;
  incidents: number;
}

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
