// Non-fatal incidents as Event series, the way Kubernetes' event recorder counts repeats: one Event per
// Node and reason per period (an hour by default, the API server's usual Event lifetime), whose
// `series.count` says how many times it happened. The first occurrence of a period is written at once;
// repeats only raise the count, written at most every `refreshMs`, and the period's last count is
// written after it ends. So 500 OOM kills on one node make one Event and a few updates, not 500 writes.
// Every replica counts (each receives every datagram); only the leader writes (series-writer.ts), and the
// Event's name depends only on the node, the reason and the period, so a new leader updates the same one.
// Bounded in count and bytes: past either bound the series seen least recently is dropped (counted).
// Pure: time is passed in.
import { STRING_OVERHEAD_BYTES, textBytes } from '../heap-size.js';
import type { RemediationRequest } from '../record/incident-record.js';

export interface SeriesSettings {
  /** One Event per node and reason per period, ms. */
  periodMs: number;
  /** A series' count is written at most this often, ms. */
  refreshMs: number;
  /** Most series held at once. */
  maxSeries: number;
  /** Most bytes they hold. */
  maxBytes: number;
}

/** What the writer makes of one series: the Event's fixed part and its current count. */
export interface SeriesWrite {
  key: string;
  node: string;
  reason: string;
  /** Index of the period (`floor(firstAt / periodMs)`): part of the Event's name. */
  period: number;
  /** The first occurrence's explanation; an Event's note cannot change once written. */
  note: string;
  count: number;
  firstAt: number;
  lastAt: number;
  /** The Event does not exist yet (as far as this replica knows). */
  create: boolean;
}

export interface SeriesStats {
  series: number;
  bytes: number;
  /** Series dropped by the bounds before their last count was written. */
  dropped: number;
}

export interface EventSeries {
  /**
   * Counts one occurrence. True when it starts a series (its first write is due now). `note` is asked
   * for only then: a repeat costs a lookup and a count, nothing else.
   */
  add(req: RemediationRequest, note: () => string, now: number): boolean;
  /** Writes due at `now`, each handed out once until `written` says how it went. */
  due(now: number): SeriesWrite[];
  /** The write of `w` ended: `ok` false leaves it due again (retried at the next refresh). */
  written(w: SeriesWrite, ok: boolean, now: number): void;
  /** Forgets series whose period ended a whole period ago, written or not (a follower never writes). */
  expire(now: number): void;
  stats(): SeriesStats;
}

interface Entry {
  node: string;
  reason: string;
  period: number;
  note: string;
  count: number;
  firstAt: number;
  lastAt: number;
  /** Count the API has (0: the Event is not created yet). */
  writtenCount: number;
  /** When that count was last written (or tried); null: never tried. */
  writtenAt: number | null;
  inflight: boolean;
  bytes: number;
}

/** Fields and Map slot of an entry, besides its strings. */
const ENTRY_OVERHEAD_BYTES = 160;

function entryBytes(node: string, reason: string, note: string): number {
  return ENTRY_OVERHEAD_BYTES + 2 * STRING_OVERHEAD_BYTES + textBytes(node) * 2 + textBytes(reason) + textBytes(note);
}

function view(key: string, e: Entry): SeriesWrite {
  return {
    key,
    node: e.node,
    reason: e.reason,
    period: e.period,
    note: e.note,
    count: e.count,
    firstAt: e.firstAt,
    lastAt: e.lastAt,
    create: e.writtenCount === 0,
  };
}

export function createEventSeries(settings: SeriesSettings): EventSeries {
  // Least recently seen first (re-inserted on every occurrence).
  const entries = new Map<string, Entry>();
  let bytes = 0;
  let dropped = 0;

  const remove = (key: string, e: Entry): void => {
    entries.delete(key);
    bytes -= e.bytes;
  };

  const isDue = (e: Entry, now: number): boolean => {
    if (e.inflight || e.count === e.writtenCount) return false;
    if (e.writtenAt === null) return true;
    const ended = now >= (e.period + 1) * settings.periodMs;
    // An Event not created yet (its first write failed) waits for the refresh, even after the period.
    return (ended && e.writtenCount > 0) || now - e.writtenAt >= settings.refreshMs;
  };

  return {
    add(req, note, now) {
      const period = Math.floor(now / settings.periodMs);
      const key = `${req.node}\0${req.kind}\0${period}`;
      const found = entries.get(key);
      if (found !== undefined) {
        found.count += 1;
        found.lastAt = now;
        entries.delete(key);
        entries.set(key, found);
        return false;
      }
      const text = note();
      const e: Entry = {
        node: req.node,
        reason: req.kind,
        period,
        note: text,
        count: 1,
        firstAt: now,
        lastAt: now,
        writtenCount: 0,
        writtenAt: null,
        inflight: false,
        bytes: entryBytes(req.node, req.kind, text),
      };
      entries.set(key, e);
      bytes += e.bytes;
      while (entries.size > 1 && (entries.size > settings.maxSeries || bytes > settings.maxBytes)) {
        const oldest = entries.entries().next();
        if (oldest.done === true) break;
        const [k, victim] = oldest.value;
        if (victim.count > victim.writtenCount) dropped += 1;
        remove(k, victim);
      }
      return true;
    },
    due(now) {
      const out: SeriesWrite[] = [];
      for (const [key, e] of entries) {
        const ended = now >= (e.period + 1) * settings.periodMs;
        if (ended && !e.inflight && e.count === e.writtenCount) {
          remove(key, e);
          continue;
        }
        if (!isDue(e, now)) continue;
        e.inflight = true;
        out.push(view(key, e));
      }
      return out;
    },
    written(w, ok, now) {
      const e = entries.get(w.key);
      if (e === undefined) return;
      e.inflight = false;
      e.writtenAt = now;
      if (ok) e.writtenCount = Math.max(e.writtenCount, w.count);
    },
    expire(now) {
      for (const [key, e] of entries) {
        if (!e.inflight && now >= (e.period + 2) * settings.periodMs) remove(key, e);
      }
    },
    stats: () => ({ series: entries.size, bytes, dropped }),
  };
}
