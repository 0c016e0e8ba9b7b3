// The hosts the collector tracks, each a pair: its record stream (reassemble/host-stream.ts) and its
// context (host-state.ts). An evicted host's stream is reset (its fragments leave the shared pool) and
// the caller closes its open incident (`onEvict`).
//
// Bounds: hosts live in one of three tiers, each bounded by count and by bytes, each evicting its own
// least recently heard-from host first (never the one just heard from), so no tier can push another's
// hosts out:
//   node      the source is a Node's address (`isKnownSource`), whatever it sends;
//   incident  any other source while it has an incident open;
//   unknown   every other source (possibly spoofed: anyone can send UDP from any address).
// 100,000 spoofed sources churn through `unknown` (or, sending panics, through `incident`) and never
// reach a panicking Node's context. A host moves between tiers when it settles.
//
// Deadlines: a host with an open incident or an unfinished legacy line has something due later. The
// table keeps those hosts and a time no later than the earliest is due, so `due(now)` looks at them
// only once one may be, and `nextDeadline()` tells the caller when to call back. Times are ms, passed in.
import { LRUCache } from 'lru-cache';
import { HostStream, type StreamEnv, type WireFeatures } from '../reassemble/host-stream.js';
import type { HostSnapshot } from '../types.js';
import { closeDeadline } from './host-context.js';
import { createHostState, hostBytes, type HostState } from './host-state.js';

/** `release`, `userdata`, `sysdata:<key>` as the wire showed them. */
export function wireFeatureNames(f: WireFeatures): string[] {
  return [...(f.release ? ['release'] : []), ...(f.node ? ['userdata'] : []), ...f.sysdata.map((k) => `sysdata:${k}`)];
}

export const HOST_TIERS = ['node', 'incident', 'unknown'] as const;
export type HostTier = (typeof HOST_TIERS)[number];

export interface HostTierLimits {
  /** Hosts in the tier at once. */
  maxHosts: number;
  /** Bytes of the tier's hosts together (context and unfinished lines, as hostBytes counts them). */
  maxBytes: number;
}

export interface HostEntry {
  readonly stream: HostStream;
  readonly context: HostState;
  /** The tier the host is in (the table's own bookkeeping). */
  tier: HostTier;
  /** Bytes the table accounted for this host at its last settle (the table's own bookkeeping). */
  accountedBytes: number;
}

export interface HostTableOptions {
  limits: Record<HostTier, HostTierLimits>;
  /** Whether the address is a Node's. Called as a host settles, so it follows Nodes coming and going. */
  isKnownSource(address: string): boolean;
  /** Shared by every host's stream; its quietMs is also when an open incident closes. */
  streams: StreamEnv;
  /** Called for an evicted host after its stream was reset: close what it has open. */
  onEvict(entry: HostEntry): void;
}

export interface HostTierStats {
  hosts: number;
  bytes: number;
}

export interface HostTable {
  /** The host's entry, created when first heard from; it becomes the most recently heard-from of its tier. */
  get(address: string): HostEntry;
  /** The host's entry when known, without creating it or refreshing its recency. */
  peek(address: string): HostEntry | undefined;
  /** After a host changed: moves it to its tier, accounts its bytes, evicts beyond the tier's bounds, notes its next deadline. */
  settle(entry: HostEntry): void;
  /** Calls `visit` for each host whose deadline has passed; a no-op before nextDeadline(). */
  due(now: number, visit: (entry: HostEntry, now: number) => void): void;
  /** Calls `visit` for each host with something pending and forgets them all (shutdown). */
  drain(visit: (entry: HostEntry) => void): void;
  /** No later than the earliest deadline of any host (ms); null when none has one. */
  nextDeadline(): number | null;
  /** Every host: tier by tier (node, incident, unknown), most recently heard from first. */
  snapshots(): HostSnapshot[];
  stats(): { hosts: number; hostBytes: number; hostsEvicted: number; hostTiers: Record<HostTier, HostTierStats> };
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

interface Tier {
  hosts: LRUCache<string, HostEntry>;
  bytes: number;
  maxBytes: number;
}

export function createHostTable(options: HostTableOptions): HostTable {
  const quietMs = options.streams.quietMs;
  /** Hosts that had a deadline when last settled; `earliest` is no later than any of theirs. */
  const pending = new Set<string>();
  let earliest = Infinity;
  let evicted = 0;

  const makeTier = (limits: HostTierLimits): Tier => {
    const tier: Tier = {
      bytes: 0,
      maxBytes: limits.maxBytes,
      hosts: new LRUCache<string, HostEntry>({
        max: limits.maxHosts,
        dispose(entry, address, reason) {
          tier.bytes -= entry.accountedBytes;
          entry.accountedBytes = 0;
          if (reason !== 'evict') return; // 'delete': moved to another tier
          evicted++;
          pending.delete(address);
          entry.stream.reset();
          options.onEvict(entry);
        },
      }),
    };
    return tier;
  };
  const tiers: Record<HostTier, Tier> = {
    node: makeTier(options.limits.node),
    incident: makeTier(options.limits.incident),
    unknown: makeTier(options.limits.unknown),
  };

  function tierFor(entry: HostEntry): HostTier {
    if (options.isKnownSource(entry.context.address)) return 'node';
    return entry.context.open === null ? 'unknown' : 'incident';
  }

  /** The host's entry wherever it is, without changing recency. */
  function peek(address: string): HostEntry | undefined {
    return tiers.node.hosts.peek(address) ?? tiers.incident.hosts.peek(address) ?? tiers.unknown.hosts.peek(address);
  }

  function settle(entry: HostEntry): void {
    const address = entry.context.address;
    const at = hostDeadline(entry, quietMs);
    if (at !== null) {
      pending.add(address);
      if (at < earliest) earliest = at;
    }
    if (tiers[entry.tier].hosts.peek(address) !== entry) return; // evicted meanwhile
    const want = tierFor(entry);
    if (want !== entry.tier) {
      tiers[entry.tier].hosts.delete(address);
      entry.tier = want;
      tiers[want].hosts.set(address, entry);
    }
    const tier = tiers[want];
    const bytes = hostBytes(entry.context) + entry.stream.bytes();
    tier.bytes += bytes - entry.accountedBytes;
    entry.accountedBytes = bytes;
    // Evict the tier's least recently heard-from hosts, never the one just heard from.
    while (tier.bytes > tier.maxBytes && tier.hosts.size > 1) {
      if (tier.hosts.pop() === undefined) break;
    }
  }

  return {
    get(address) {
      const known = tiers.node.hosts.get(address) ?? tiers.incident.hosts.get(address) ?? tiers.unknown.hosts.get(address);
      if (known !== undefined) return known;
      const created: HostEntry = {
        stream: new HostStream(address, options.streams),
        context: createHostState(address),
        tier: options.isKnownSource(address) ? 'node' : 'unknown',
        accountedBytes: 0,
      };
      tiers[created.tier].hosts.set(address, created);
      return created;
    },
    peek,
    settle,
    due(now, visit) {
      if (now < earliest) return;
      earliest = Infinity;
      for (const address of pending) {
        const entry = peek(address);
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
        const entry = peek(address);
        if (entry !== undefined) visit(entry);
      }
      pending.clear();
      earliest = Infinity;
    },
    nextDeadline: () => (earliest === Infinity ? null : earliest),
    snapshots: () => HOST_TIERS.flatMap((name) => [...tiers[name].hosts.values()].map(snapshot)),
    stats() {
      const hostTiers = {} as Record<HostTier, HostTierStats>;
      let hosts = 0;
      let hostBytes = 0;
      for (const name of HOST_TIERS) {
        const tier = tiers[name];
        hostTiers[name] = { hosts: tier.hosts.size, bytes: tier.bytes };
        hosts += tier.hosts.size;
        hostBytes += tier.bytes;
      }
      return { hosts, hostBytes, hostsEvicted: evicted, hostTiers };
    },
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
    messagesLost: entry.stream.messagesLost,
    recordsWithoutNode: entry.stream.recordsWithoutNode,
    wireFeatures: wireFeatureNames(entry.stream.features),
    lastCanaryAt: host.lastCanaryAt,
    lastCanaryNode: host.lastCanaryNode,
    panicLine: host.lastCanaryPanicLine,
    incidents: host.incidents,
  };
}
