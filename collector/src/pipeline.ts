// The receive pipeline without I/O, one straight line per datagram:
//   parse → the source's host stream (order, fragments, legacy lines) → host context (classify,
//   incident state) → incident events.
// Pure: every time comes from `Datagram.receivedAt` or `tick(now)`, so the live listener and the pcap
// replay run exactly this code; `nextDeadline()` says when `tick` next has work. Memory is bounded by
// pipeline-limits.ts (per host and overall); the counters are pipeline-stats.ts.
import { createClassifier } from './classify/classifier.js';
import type { Rules } from './classify/rules.js';
import { closeIfQuiet, closeOpen, ingestRecord, rearmFatal, resetBoot, type HostContextEnv } from './host-context/host-context.js';
import type { HostState } from './host-context/host-state.js';
import { createHostTable, type HostEntry } from './host-context/host-table.js';
import { parseDatagram } from './parse/parse-datagram.js';
import { parseExtendedBody } from './parse/parse-extended.js';
import { parseLegacyLine } from './parse/parse-legacy.js';
import { resolveLimits, type PipelineLimitOptions } from './pipeline-limits.js';
import { createPipelineCounts, pipelineStats, type PipelineStats } from './pipeline-stats.js';
import { createFragmentAssembler } from './reassemble/fragment-assembler.js';
import type { StreamDecoders, StreamEnv, StreamSink } from './reassemble/host-stream.js';
import type { Datagram, HostSnapshot, IncidentEvent } from './types.js';

// The pipeline's surface is one module: its limits and counters are defined beside it.
export { DEFAULT_PIPELINE_LIMITS, resolveLimits, type PipelineLimitOptions, type PipelineLimits } from './pipeline-limits.js';
export type { PipelineStats } from './pipeline-stats.js';

export interface PipelineOptions {
  rules: Rules;
  limits?: PipelineLimitOptions;
  /**
   * Whether legacy (non-extended) console text may open incidents. Default true. Legacy format has no
   * facility, so a process that can write to /dev/kmsg (or to the console) on a node can forge a
   * "Kernel panic" line that looks real; set false to accept incidents only from extended format.
   */
  trustLegacy?: boolean;
  /**
   * Whether a source address belongs to a Node (e.g. the resolver's node index). Node hosts get a
   * budget of their own that other sources cannot evict (pipeline-limits.ts). Absent: the caller knows
   * no Nodes (replay, standalone), and every source is treated as one.
   */
  isKnownSource?: (address: string) => boolean;
  onEvent(event: IncidentEvent): void;
}

export interface Pipeline {
  ingest(datagram: Datagram): void;
  /** Advances time: closes incidents of hosts quiet for the quiet period, expires fragments. */
  tick(now: number): void;
  /**
   * When `tick` next has something to do (ms), or null when nothing is pending. Never later than
   * that; a tick before it is a cheap no-op. A datagram may move it, so ask again after ingest.
   */
  nextDeadline(): number | null;
  hosts(): HostSnapshot[];
  stats(): PipelineStats;
  /** Closes every open incident (at shutdown or the end of a replay). */
  flush(now: number): void;
  /**
   * `source`'s last fatal incident was refuted (its kernel answered): its next fatal record opens a new
   * incident at once. False when the host is not tracked.
   */
  rearm(source: string, now: number): boolean;
}

/** Record decoding the host streams get from the parse stage. */
const DECODERS: StreamDecoders = { body: parseExtendedBody, line: parseLegacyLine };

export function createPipeline(options: PipelineOptions): Pipeline {
  const limits = resolveLimits(options.limits);
  const counts = createPipelineCounts();
  /** Latest time seen; an evicted host's incident closes at it. */
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
  const fragments = createFragmentAssembler(limits.fragments);
  const streams: StreamEnv = {
    fragments,
    sequence: limits.sequence,
    maxLineBytes: limits.fragments.maxRecordBytes,
    quietMs: limits.host.quietMs,
    decode: DECODERS,
  };
  const hosts = createHostTable({
    limits: limits.hosts,
    isKnownSource: options.isKnownSource ?? (() => true),
    streams,
    onEvict: (host) => closeOpen(host.context, lastNow, env),
  });
  /** Where every host stream delivers: records and reboots into that host's context, the rest counted. */
  const toContext: StreamSink<HostState> = {
    record(host, record, order, now) {
      counts.records++;
      ingestRecord(host, record, order, now, env);
    },
    reboot(host, now) {
      counts.sequenceResets++;
      resetBoot(host, now, env);
    },
    transport(what) {
      if ('lost' in what) counts.messagesLost += what.lost;
      else counts.recordsWithoutNode++;
    },
    count(what) {
      if (what === 'duplicate') counts.duplicates++;
      else if (what === 'late') counts.reordered++;
      else counts.fragmentDrops[what]++;
    },
  };
  /** A host whose deadline passed: its unfinished line once quiet, then its incident if quiet too. */
  const visitDue = (host: HostEntry, now: number): void => {
    if (host.stream.poll(now, toContext, host.context)) closeIfQuiet(host.context, now, env);
  };

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
      const host = hosts.get(datagram.source);
      host.stream.push(parsed, now, toContext, host.context);
      hosts.settle(host);
    },
    tick(now) {
      lastNow = Math.max(lastNow, now);
      counts.fragmentDrops['fragment-expired'] += fragments.expire(now);
      hosts.due(now, visitDue);
    },
    nextDeadline() {
      const host = hosts.nextDeadline();
      const fragment = fragments.nextExpiry();
      if (host === null) return fragment;
      return fragment === null ? host : Math.min(host, fragment);
    },
    flush(now) {
      hosts.drain((host) => {
        host.stream.flush(host.context.lastRecordAt ?? now, toContext, host.context);
        closeOpen(host.context, now, env);
      });
    },
    rearm(source, now) {
      const host = hosts.peek(source);
      if (host === undefined) return false;
      rearmFatal(host.context, now, env);
      hosts.settle(host);
      return true;
    },
    hosts: () => hosts.snapshots(),
    stats: () => pipelineStats(counts, fragments.stats(), hosts.stats()),
  };
}
