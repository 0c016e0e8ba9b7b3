// The hosts the collector tracks, each a pair: its record stream (reassemble/host-stream.ts) and its
// context (host-state.ts). Bounded by count and by approximate bytes: the least recently heard-from
// host is evicted first, never the one just heard from. An evicted host's stream is reset (its
// fragments leave the shared pool) and the caller closes its open incident (`onEvict`).
//
// Deadlines: a host with an open incident or an unfinished legacy line has something due later. The
// table keeps those hosts and a time no later than the earliest is due, so `due(now)` looks at them
// only once one may be, and `nextDeadline()` tells the caller when to call back. Times are ms, passed in.
import { LRUCache } from 'lru-cache';
import { HostStream, type StreamEnv } from '../reassemble/host-stream.js';
import type { HostSnapshot } from '../types.js';
import { closeDeadline } from './host-context.js';
import { createHostState, hostBytes, type HostState } from './host-state.js';

export interface HostEntry {
  readonly stream: HostStream;
  readonly context: HostState;
  /** Bytes the table accounted for this host at its last settle (the table's own bookkeeping). */
  accountedBytes: number;
}

export interface HostTableOptions {
  /** Hosts tracked at once. */
  maxHosts: number;
  /** Approximate bytes of all hosts together (context and unfinished lines). */
  maxBytes: number;
  /** Shared by every host's stream; its quietMs is also when an open incident closes. */
  streams: StreamEnv;
  /** Called for an evicted host after its stream was reset: close what it has open. */
  onEvict(entry: HostEntry): void;
}

export interface HostTable {
  /** The host's entry, created when first heard from; it becomes the most recently heard-from. */
  get(address: string): HostEntry;
  /** After a host changed: accounts its bytes, evicts beyond the byte bound, notes its next deadline. */
  settle(entry: HostEntry): void;
  /** Calls `visit` for each host whose deadline has passed; a no-op before nextDeadline(). */
  due(now: number, visit: (entry: HostEntry, now: number) => void): void;
  /** Calls `visit` for each host with something pending and forgets them all (shutdown). */
  drain(visit: (entry: HostEntry) => void): void;
  /** No later than the earliest deadline of any host (ms); null when none has one. */
  nextDeadline(): number | null;
  snapshots(): HostSnapshot[];
  stats(): { hosts: number; hostBytes: number; hostsEvicted: number };
}

/**
 * When the host next needs a visit: its stream's unfinished line, or closing its open incident once
 * both the records and the stream have been quiet (more of a record may still be on its way).
 */
export function hostDeadline(entry: HostEntry, quietMs: number): number | null {
  const line = entry.stream.nextDeadline();
  const close = closeDeadline(entry.context, quietMs);
  if (close === null) return line;
  const quiet = Math.max(close, entry.stream.quietAt() ?? close);
  return line === null ? quiet : Math.min(line, quiet);
}

export function createHostTable(options: HostTableOptions): HostTable {
  const quietMs = options.streams.quietMs;
  /** Hosts that had a deadline when last settled; `earliest` is no later than any of theirs. */
  const pending = new Set<string>();
  let earliest = Infinity;
  let totalBytes = 0;
  let evicted = 0;
  const hosts = new LRUCache<string, HostEntry>({
    max: options.maxHosts,
    dispose(entry, address, reason) {
      totalBytes -= entry.accountedBytes;
      entry.accountedBytes = 0;
      if (reason !== 'evict') return;
      evicted++;
      pending.delete(address);
      entry.stream.reset();
      options.onEvict(entry);
    },
  });

  function settle(entry: HostEntry): void {
    const address = entry.context.address;
    const at = hostDeadline(entry, quietMs);
    if (at !== null) {
      pending.add(address);
      if (at < earliest) earliest = at;
    }
    if (!hosts.has(address)) return;
    const bytes = hostBytes(entry.context) + entry.stream.bytes();
    totalBytes += bytes - entry.accountedBytes;
    entry.accountedBytes = bytes;
    // Evict least recently heard-from hosts, never the one just heard from.
    while (totalBytes > options.maxBytes && hosts.size > 1) hosts.pop();
  }

  return {
    get(address) {
      const known = hosts.get(address);
      if (known !== undefined) return known;
      const created: HostEntry = {
        stream: new HostStream(address, options.streams),
        context: createHostState(address),
        accountedBytes: 0,
      };
      hosts.set(address, created);
      return created;
    },
    settle,
    due(now, visit) {
      if (now < earliest) return;
      earliest = Infinity;
      for (const address of pending) {
        const entry = hosts.peek(address);
        if (entry === undefined) {
          pending.delete(address);
          continue;
        }
        const at = hostDeadline(entry, quietMs);
        if (at !== null && at <= now) visit(entry, now);
        if (hostDeadline(entry, quietMs) === null) pending.delete(address);
        settle(entry);
      }
    },
    drain(visit) {
      for (const address of pending) {
        const entry = hosts.peek(address);
        if (entry !== undefined) visit(entry);
      }
      pending.clear();
      earliest = Infinity;
    },
    nextDeadline: () => (earliest === Infinity ? null : earliest),
    snapshots: () => [...hosts.values()].map(snapshot),
    stats: () => ({ hosts: hosts.size, hostBytes: totalBytes, hostsEvicted: evicted }),
  };
}

function snapshot(entry: HostEntry): HostSnapshot {
  const host = entry.context;
  return {
    address: host.address,
    kernelRelease: host.kernelRelease,
    lastRecordAt: host.lastRecordAt,
    lastSeq: entry.stream.lastSeq,
    records: host.records,
    sequenceGaps: entry.stream.gaps,
    lastCanaryAt: host.lastCanaryAt,
    lastCanaryNode: host.lastCanaryNode,
    incidents: host.incidents,
  };
}
