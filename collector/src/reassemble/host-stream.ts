// One source's record stream: sequence order, fragment assembly and legacy line joining behind one
// entry point (as netconsd's ncrx does). `push(frame, now, out, to)` hands the complete records, the
// reboots and the things to count to `out`, in the order they happen; `nextDeadline()` says when the
// stream wants `poll(now)` (an unfinished legacy line is emitted once the source has gone quiet).
// Pure: time (ms) is passed in; no I/O, no timers, nothing allocated per datagram beyond the record.
// Nothing a stream keeps or hands out refers to the datagram: fragments and the unfinished legacy
// line are copies, and a legacy record's text is copied out of the datagram's text (extended text is
// decoded into a string of its own already).
//
// Fragments in flight live in a pool shared by every source (FragmentAssembler), because its limits
// are overall memory bounds; a stream adds to it under its own address and drops its share on reset.
import { copyText, textBytes } from '../heap-size.js';
import type { ExtendedFrame, KernelRecord, ParsedFrame } from '../types.js';
import type { FragmentAssembler, FragmentDropReason } from './fragment-assembler.js';
import { createLegacyLineState, flushLegacyText, pushLegacyText } from './legacy-lines.js';
import { createMsgidState, observeMsgid, parseMsgid } from './msgid-tracker.js';
import { acceptSequence, createSequenceState, judgeSequence, type SequenceLimits } from './sequence-order.js';

/**
 * Bytes per entry of the sequence window (seq → boxed timestamp in a Map, with the Map's spare
 * capacity). Measured with Node 20: a full window of 129 entries holds ~8 KiB.
 */
export const SEEN_ENTRY_BYTES = 64;

/** Record decoding the stream needs from the parse stage (passed in: reassembly imports no stage). */
export interface StreamDecoders {
  /** A complete extended body → its text and ` key=value` userdata (parse-extended.ts). */
  body(body: Buffer): { text: string; userdata: Record<string, string> };
  /** One legacy line → its printk timestamp (µs) and text (parse-legacy.ts). */
  line(raw: string): { timestampUs: number | null; text: string };
}

/** What every stream shares: the fragment pool, limits and decoders. */
export interface StreamEnv {
  fragments: FragmentAssembler;
  sequence: SequenceLimits;
  /** Longest unfinished legacy line kept (bytes); a longer one is emitted as it is. */
  maxLineBytes: number;
  /** ms without a datagram after which the source counts as quiet. */
  quietMs: number;
  decode: StreamDecoders;
}

/** Events worth counting that produce no record. */
export type StreamCount = 'duplicate' | 'late' | FragmentDropReason;

/**
 * Receives a stream's output. `to` is the caller's tag given to push (e.g. the host's context), passed
 * back unchanged, so one sink serves every host without per-host objects.
 */
export interface StreamSink<T> {
  /** A complete record; `order` is its sequence number (extended) or arrival counter (legacy). */
  record(to: T, record: KernelRecord, order: number, now: number): void;
  /** The source rebooted: everything before belongs to the old boot. Comes before the new boot's records. */
  reboot(to: T, now: number): void;
  count(what: StreamCount): void;
  /**
   * Sysdata msgid showed `n` messages lost on the way (negative: a late arrival gave some back), or a
   * record came without the userdata `node=` this host had sent before (`nodeMissing`).
   */
  transport(what: { lost: number } | { nodeMissing: true }): void;
}

/** What the wire has shown of the sender's netconsole (extended records only). */
export interface WireFeatures {
  release: boolean;
  /** userdata `node=` seen. */
  node: boolean;
  /** sysdata keys seen: cpu, taskname, release, msgid. */
  sysdata: string[];
}

const SYSDATA_KEYS = ['cpu', 'taskname', 'release', 'msgid'] as const;

export class HostStream {
  /** ms of the last datagram pushed (any kind, even a fragment that completed nothing); null before. */
  lastHeardAt: number | null = null;
  private sequence = createSequenceState();
  private msgid = createMsgidState();
  private readonly seenFeatures: WireFeatures = { release: false, node: false, sysdata: [] };
  /** Records without userdata `node=` after this host had sent one (possibly forged). */
  recordsWithoutNode = 0;
  private readonly legacy = createLegacyLineState();
  /** Arrival counter giving legacy records their order. */
  private legacyCounter = 0;
  /** Last legacy printk timestamp seen (µs), to notice a reboot when it goes back. */
  private lastLegacyTimestampUs: number | null = null;

  constructor(
    readonly address: string,
    private readonly env: StreamEnv,
  ) {}

  /** Highest sequence number seen in this boot (extended format). */
  get lastSeq(): number | null {
    return this.sequence.maxSeq;
  }

  /** Sequence numbers still missing in this boot. */
  get gaps(): number {
    return this.sequence.gaps;
  }

  /** Messages lost on the way, from sysdata msgid (per target; a restarted counter is not loss). */
  get messagesLost(): number {
    return this.msgid.lost;
  }

  get features(): WireFeatures {
    return this.seenFeatures;
  }

  /** Bytes held beyond a host's fixed overhead: the sequence window and the unfinished legacy line. */
  bytes(): number {
    const window = this.sequence.seen.size * SEEN_ENTRY_BYTES;
    return this.legacy.carry === '' ? window : window + textBytes(this.legacy.carry);
  }

  push<T>(frame: ParsedFrame, now: number, out: StreamSink<T>, to: T): void {
    this.lastHeardAt = now;
    if (frame.format === 'extended') this.pushExtended(frame, now, out, to);
    else this.emitLines(pushLegacyText(this.legacy, frame.text, this.env.maxLineBytes), now, out, to);
  }

  /** When `poll` has something to do (ms), or null: quietMs after the last datagram while a line is unfinished. */
  nextDeadline(): number | null {
    return this.legacy.carry === '' ? null : this.quietAt();
  }

  /** When the source counts as quiet (ms): quietMs after its last datagram; null before any. */
  quietAt(): number | null {
    return this.lastHeardAt === null ? null : this.lastHeardAt + this.env.quietMs;
  }

  /** Once the source is quiet: emits the unfinished line (timed when last heard) and returns true. */
  poll<T>(now: number, out: StreamSink<T>, to: T): boolean {
    const heard = this.lastHeardAt;
    if (heard === null || now - heard < this.env.quietMs) return false;
    this.emitLines(flushLegacyText(this.legacy), heard, out, to);
    return true;
  }

  /** Emits the unfinished line now, timed `at` (shutdown, end of a replay). */
  flush<T>(at: number, out: StreamSink<T>, to: T): void {
    this.emitLines(flushLegacyText(this.legacy), at, out, to);
  }

  /** Forgets the source's input: its fragments in flight, its ordering and its unfinished line. */
  reset(): void {
    this.env.fragments.dropHost(this.address);
    this.sequence = createSequenceState();
    this.msgid.last = null;
    flushLegacyText(this.legacy);
    this.lastLegacyTimestampUs = null;
  }

  private pushExtended<T>(frame: ExtendedFrame, now: number, out: StreamSink<T>, to: T): void {
    const limits = this.env.sequence;
    let verdict = judgeSequence(this.sequence, frame.seq, frame.timestampUs, limits);
    if (verdict === 'duplicate') {
      out.count('duplicate');
      return;
    }
    let body = frame.body;
    if (frame.fragment !== null) {
      const assembled = this.env.fragments.add(this.address, frame, now);
      if (assembled.status === 'dropped') {
        out.count(assembled.reason);
        return;
      }
      if (assembled.status === 'pending') return;
      body = assembled.body;
      // Judge again: the sequence state may have moved while the fragments were in flight.
      verdict = judgeSequence(this.sequence, frame.seq, frame.timestampUs, limits);
      if (verdict === 'duplicate') {
        out.count('duplicate');
        return;
      }
    }
    if (verdict === 'reset') {
      this.env.fragments.dropHost(this.address);
      // A new boot's target counts from scratch: not loss.
      this.msgid.last = null;
      out.reboot(to, now);
    }
    if (verdict === 'late') out.count('late');
    acceptSequence(this.sequence, frame.seq, frame.timestampUs, verdict, limits);
    const { text, userdata } = this.env.decode.body(body);
    this.observeTransport(frame.release, userdata, out);
    const record: KernelRecord = {
      format: 'extended',
      facility: frame.facility,
      level: frame.level,
      seq: frame.seq,
      timestampUs: frame.timestampUs,
      continuation: frame.continuation,
      release: frame.release,
      text,
      userdata,
    };
    out.record(to, record, frame.seq, now);
  }

  /** msgid loss, the wire features, and `node=` going missing (facility ≥ 1 records carry userdata too). */
  private observeTransport<T>(release: string | null, userdata: Record<string, string>, out: StreamSink<T>): void {
    const f = this.seenFeatures;
    if (release !== null) f.release = true;
    if (userdata.node !== undefined) f.node = true;
    else if (f.node) {
      this.recordsWithoutNode += 1;
      out.transport({ nodeMissing: true });
    }
    for (const key of SYSDATA_KEYS) if (userdata[key] !== undefined && !f.sysdata.includes(key)) f.sysdata.push(key);
    const id = parseMsgid(userdata.msgid);
    if (id === null) return;
    const lost = observeMsgid(this.msgid, id);
    if (lost !== 0) out.transport({ lost });
  }

  /** Legacy has no sequence numbers: a printk timestamp going back (beyond clock slack) is a reboot. */
  private emitLines<T>(lines: string[], now: number, out: StreamSink<T>, to: T): void {
    const slack = this.env.sequence.clockSlackUs;
    for (const raw of lines) {
      const { timestampUs, text } = this.env.decode.line(raw);
      if (text === '' && timestampUs === null) continue;
      const last = this.lastLegacyTimestampUs;
      if (timestampUs !== null) {
        if (last !== null && timestampUs + slack < last) out.reboot(to, now);
        this.lastLegacyTimestampUs = timestampUs;
      }
      const record: KernelRecord = {
        format: 'legacy',
        facility: null,
        level: null,
        seq: null,
        timestampUs,
        continuation: false,
        release: null,
        text: copyText(text),
        userdata: {},
      };
      out.record(to, record, this.legacyCounter++, now);
    }
  }
}
