// The receive pipeline without I/O: parse → reassemble/order → host context → classify → incident
// events. Pure: every time comes from `Datagram.receivedAt` or `tick(now)`, so the live listener and
// the pcap replay run exactly this code. Memory is bounded by the limits below (per host and overall).
import { LRUCache } from 'lru-cache';
import { createClassifier } from './classify/classifier.js';
import type { Rules } from './classify/rules.js';
import {
  closeIfQuiet,
  closeOpen,
  DEFAULT_HOST_CONTEXT_LIMITS,
  ingestRecord,
  resetBoot,
  type HostContextEnv,
  type HostContextLimits,
} from './host-context/host-context.js';
import { createHostState, hostBytes, hostSnapshot, type HostState } from './host-context/host-state.js';
import { DEFAULT_MAX_DATAGRAM_BYTES, parseDatagram } from './parse/parse-datagram.js';
import { parseExtendedBody } from './parse/parse-extended.js';
import { parseLegacyLine } from './parse/parse-legacy.js';
import { PARSE_ERROR_REASONS, type ExtendedFrame, type ParseErrorReason } from './types.js';
import {
  createFragmentAssembler,
  DEFAULT_FRAGMENT_LIMITS,
  type FragmentDropReason,
  type FragmentLimits,
} from './reassemble/fragment-assembler.js';
import { flushLegacyText, pushLegacyText } from './reassemble/legacy-lines.js';
import { acceptSequence, DEFAULT_SEQUENCE_LIMITS, judgeSequence, type SequenceLimits } from './reassemble/sequence-order.js';
import { REASON_CODES, type Datagram, type HostSnapshot, type IncidentEvent, type ReasonCode } from './types.js';

export interface PipelineLimits {
  fragments: FragmentLimits;
  sequence: SequenceLimits;
  host: HostContextLimits;
  /** Hosts tracked at once; the least recently heard from is evicted beyond. */
  maxHosts: number;
  /** Approximate bytes of host context overall; least recently heard-from hosts are evicted beyond. */
  maxHostBytes: number;
  maxDatagramBytes: number;
}

export interface PipelineLimitOptions {
  fragments?: Partial<FragmentLimits>;
  sequence?: Partial<SequenceLimits>;
  host?: Partial<HostContextLimits>;
  maxHosts?: number;
  maxHostBytes?: number;
  maxDatagramBytes?: number;
}

export const DEFAULT_PIPELINE_LIMITS: PipelineLimits = {
  fragments: DEFAULT_FRAGMENT_LIMITS,
  sequence: DEFAULT_SEQUENCE_LIMITS,
  host: DEFAULT_HOST_CONTEXT_LIMITS,
  maxHosts: 20_000,
  maxHostBytes: 96 * 1024 * 1024,
  maxDatagramBytes: DEFAULT_MAX_DATAGRAM_BYTES,
};

export interface PipelineOptions {
  rules: Rules;
  limits?: PipelineLimitOptions;
  /**
   * Whether legacy (non-extended) console text may open incidents. Default true. Legacy format has no
   * facility, so a process that can write to /dev/kmsg (or to the console) on a node can forge a
   * "Kernel panic" line that looks real; set false to accept incidents only from extended format.
   */
  trustLegacy?: boolean;
  onEvent(event: IncidentEvent): void;
}

export interface PipelineStats {
  datagrams: number;
  /** Datagrams refused by the parser, by reason, and their sum. */
  parseErrors: Record<ParseErrorReason, number>;
  malformed: number;
  records: number;
  duplicates: number;
  reordered: number;
  sequenceResets: number;
  /** Fragments (or whole fragmented records) dropped, by reason. */
  fragmentDrops: Record<FragmentDropReason, number>;
  fragmentsInFlight: number;
  fragmentBytesInFlight: number;
  /** Userspace (facility ≥ 1) or refused-legacy records whose text looked like an incident: ignored. */
  untrustedIncidentLike: number;
  incidentsOpened: Record<ReasonCode, number>;
  hosts: number;
  hostBytes: number;
  hostsEvicted: number;
}

export interface Pipeline {
  ingest(datagram: Datagram): void;
  /** Advances time: closes incidents of hosts quiet for the quiet period, expires fragments. */
  tick(now: number): void;
  hosts(): HostSnapshot[];
  stats(): PipelineStats;
  /** Closes every open incident (at shutdown or the end of a replay). */
  flush(now: number): void;
}

function counters<K extends string>(keys: readonly K[]): Record<K, number> {
  return Object.fromEntries(keys.map((key) => [key, 0])) as Record<K, number>;
}

const FRAGMENT_DROP_REASONS: FragmentDropReason[] = [
  'fragment-too-large',
  'fragment-too-many',
  'fragment-duplicate',
  'fragment-evicted',
  'fragment-expired',
];

export function resolveLimits(options: PipelineLimitOptions = {}): PipelineLimits {
  const base = DEFAULT_PIPELINE_LIMITS;
  return {
    fragments: { ...base.fragments, ...options.fragments },
    sequence: { ...base.sequence, ...options.sequence },
    host: { ...base.host, ...options.host },
    maxHosts: options.maxHosts ?? base.maxHosts,
    maxHostBytes: options.maxHostBytes ?? base.maxHostBytes,
    maxDatagramBytes: options.maxDatagramBytes ?? base.maxDatagramBytes,
  };
}

export function createPipeline(options: PipelineOptions): Pipeline {
  const limits = resolveLimits(options.limits);
  const counts = {
    datagrams: 0,
    records: 0,
    duplicates: 0,
    reordered: 0,
    sequenceResets: 0,
    untrustedIncidentLike: 0,
    hostsEvicted: 0,
    parseErrors: counters(PARSE_ERROR_REASONS),
    fragmentDrops: counters(FRAGMENT_DROP_REASONS),
    incidentsOpened: counters(REASON_CODES),
  };
  let lastNow = 0;
  const env: HostContextEnv = {
    classifier: createClassifier(options.rules),
    limits: limits.host,
    trustLegacy: options.trustLegacy ?? true,
    emit(event) {
      if (event.type === 'opened') counts.incidentsOpened[event.incident.kind]++;
      options.onEvent(event);
    },
    onUntrustedMatch() {
      counts.untrustedIncidentLike++;
    },
  };
  const assembler = createFragmentAssembler(limits.fragments);
  /** Hosts with an open incident or an unfinished legacy line: the ones tick() must look at. */
  const pending = new Set<string>();
  /** Bytes accounted per host at its last settle(); their sum is `hostBytesTotal`. */
  const accounted = new Map<string, number>();
  let hostBytesTotal = 0;
  const hosts = new LRUCache<string, HostState>({
    max: limits.maxHosts,
    dispose(host, address, reason) {
      hostBytesTotal -= accounted.get(address) ?? 0;
      accounted.delete(address);
      if (reason !== 'evict') return;
      counts.hostsEvicted++;
      pending.delete(address);
      assembler.dropHost(address);
      closeOpen(host, lastNow, env);
    },
  });

  function ingestExtended(host: HostState, frame: ExtendedFrame, now: number): void {
    const limitsSeq = limits.sequence;
    let verdict = judgeSequence(host.sequence, frame.seq, frame.timestampUs, limitsSeq);
    if (verdict === 'duplicate') {
      counts.duplicates++;
      return;
    }
    let body = frame.body;
    if (frame.fragment !== null) {
      const assembled = assembler.add(host.address, frame, now);
      if (assembled.status === 'dropped') {
        counts.fragmentDrops[assembled.reason]++;
        return;
      }
      if (assembled.status === 'pending') return;
      body = assembled.body;
      // Judge again: the sequence state may have moved while the fragments were in flight.
      verdict = judgeSequence(host.sequence, frame.seq, frame.timestampUs, limitsSeq);
      if (verdict === 'duplicate') {
        counts.duplicates++;
        return;
      }
    }
    if (verdict === 'reset') {
      counts.sequenceResets++;
      assembler.dropHost(host.address);
      resetBoot(host, now, env);
    }
    if (verdict === 'late') counts.reordered++;
    acceptSequence(host.sequence, frame.seq, frame.timestampUs, verdict, limitsSeq);
    const { text, userdata } = parseExtendedBody(body);
    counts.records++;
    const record = {
      format: 'extended' as const,
      facility: frame.facility,
      level: frame.level,
      seq: frame.seq,
      timestampUs: frame.timestampUs,
      continuation: frame.continuation,
      release: frame.release,
      text,
      userdata,
    };
    ingestRecord(host, record, frame.seq, now, env);
  }

  function ingestLegacyLines(host: HostState, lines: string[], now: number): void {
    const slack = limits.sequence.clockSlackUs;
    for (const raw of lines) {
      const { timestampUs, text } = parseLegacyLine(raw);
      if (text === '' && timestampUs === null) continue;
      const last = host.lastLegacyTimestampUs;
      if (timestampUs !== null) {
        if (last !== null && timestampUs + slack < last) {
          counts.sequenceResets++;
          resetBoot(host, now, env);
        }
        host.lastLegacyTimestampUs = timestampUs;
      }
      counts.records++;
      const record = {
        format: 'legacy' as const,
        facility: null,
        level: null,
        seq: null,
        timestampUs,
        continuation: false,
        release: null,
        text,
        userdata: {},
      };
      ingestRecord(host, record, host.legacyCounter++, now, env);
    }
  }

  function hostFor(address: string): HostState {
    const known = hosts.get(address);
    if (known !== undefined) return known;
    const created = createHostState(address);
    hosts.set(address, created);
    return created;
  }

  function settle(host: HostState): void {
    if (host.open !== null || host.legacy.carry !== '') pending.add(host.address);
    if (!hosts.has(host.address)) return;
    const bytes = hostBytes(host);
    hostBytesTotal += bytes - (accounted.get(host.address) ?? 0);
    accounted.set(host.address, bytes);
    // Evict least recently heard-from hosts, never the one just heard from.
    while (hostBytesTotal > limits.maxHostBytes && hosts.size > 1) hosts.pop();
  }

  return {
    ingest(datagram) {
      counts.datagrams++;
      const now = datagram.receivedAt;
      lastNow = Math.max(lastNow, now);
      const parsed = parseDatagram(datagram.payload, limits.maxDatagramBytes);
      if (!parsed.ok) {
        counts.parseErrors[parsed.reason]++;
        return;
      }
      const host = hostFor(datagram.source);
      host.lastHeardAt = now;
      if (parsed.format === 'extended') ingestExtended(host, parsed, now);
      else ingestLegacyLines(host, pushLegacyText(host.legacy, parsed.text, limits.fragments.maxRecordBytes), now);
      settle(host);
    },
    tick(now) {
      lastNow = Math.max(lastNow, now);
      counts.fragmentDrops['fragment-expired'] += assembler.expire(now);
      for (const address of pending) {
        const host = hosts.peek(address);
        if (host === undefined) {
          pending.delete(address);
          continue;
        }
        if (host.lastHeardAt !== null && now - host.lastHeardAt >= limits.host.quietMs) {
          ingestLegacyLines(host, flushLegacyText(host.legacy), host.lastHeardAt);
          closeIfQuiet(host, now, env);
        }
        if (host.open === null && host.legacy.carry === '') pending.delete(address);
        settle(host);
      }
    },
    flush(now) {
      for (const address of pending) {
        const host = hosts.peek(address);
        if (host === undefined) continue;
        ingestLegacyLines(host, flushLegacyText(host.legacy), host.lastRecordAt ?? now);
        closeOpen(host, now, env);
      }
      pending.clear();
    },
    hosts: () => [...hosts.values()].map(hostSnapshot),
    stats() {
      const fragments = assembler.stats();
      const malformed = Object.values<number>(counts.parseErrors).reduce((sum, n) => sum + n, 0);
      return {
        ...counts,
        parseErrors: { ...counts.parseErrors },
        fragmentDrops: { ...counts.fragmentDrops, 'fragment-evicted': fragments.evicted },
        incidentsOpened: { ...counts.incidentsOpened },
        malformed,
        fragmentsInFlight: fragments.inFlight,
        fragmentBytesInFlight: fragments.bytesInFlight,
        hosts: hosts.size,
        hostBytes: hostBytesTotal,
      };
    },
  };
}
