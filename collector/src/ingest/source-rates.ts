// Per-source datagram accounting for the receiver: counts and a per-second rate, for a bounded number
// of sources (least recently heard from are forgotten). Time is passed in (ms).
import { LRUCache } from 'lru-cache';

export interface SourceRate {
  source: string;
  datagrams: number;
  bytes: number;
  /** Datagrams received in the last complete one-second window. */
  datagramsPerSecond: number;
}

interface SourceEntry {
  datagrams: number;
  bytes: number;
  windowStart: number;
  windowCount: number;
  lastRate: number;
}

export interface SourceRates {
  record(source: string, bytes: number, now: number): void;
  /** The `limit` busiest sources by current rate. */
  top(limit: number, now: number): SourceRate[];
  size(): number;
}

const WINDOW_MS = 1000;

export function createSourceRates(maxSources: number): SourceRates {
  const sources = new LRUCache<string, SourceEntry>({ max: maxSources });
  function rate(entry: SourceEntry, now: number): number {
    if (now - entry.windowStart >= 2 * WINDOW_MS) return 0;
    if (now - entry.windowStart >= WINDOW_MS) return entry.windowCount;
    return entry.lastRate;
  }
  return {
    record(source, bytes, now) {
      let entry = sources.get(source);
      if (entry === undefined) {
        entry = { datagrams: 0, bytes: 0, windowStart: now, windowCount: 0, lastRate: 0 };
        sources.set(source, entry);
      }
      if (now - entry.windowStart >= WINDOW_MS) {
        entry.lastRate = now - entry.windowStart >= 2 * WINDOW_MS ? 0 : entry.windowCount;
        entry.windowStart = now;
        entry.windowCount = 0;
      }
      entry.datagrams++;
      entry.bytes += bytes;
      entry.windowCount++;
    },
    top(limit, now) {
      const all: SourceRate[] = [];
      for (const [source, entry] of sources.entries()) {
        all.push({ source, datagrams: entry.datagrams, bytes: entry.bytes, datagramsPerSecond: rate(entry, now) });
      }
      all.sort((a, b) => b.datagramsPerSecond - a.datagramsPerSecond || b.datagrams - a.datagrams);
      return all.slice(0, limit);
    },
    size: () => sources.size,
  };
}
