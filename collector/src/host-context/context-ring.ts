// A host's recent records, oldest first, bounded by count and by bytes. Entries are kept in `order`
// (sequence number in extended format, arrival count in legacy), so a late record lands in place.
import { textBytes } from '../heap-size.js';
import type { IncidentCause } from '../types.js';

export interface ContextEntry {
  /** Sequence number (extended) or arrival counter (legacy); ascending within one boot. */
  order: number;
  seq: number | null;
  /** µs since boot, when the record carried a timestamp. */
  timestampUs: number | null;
  /** The record's text; the line shown to people is built from it only when needed (entryLine). */
  text: string;
  /** Set when a trusted record matched a rule that may be reported as a fatal incident's cause. */
  cause: IncidentCause | null;
  /** What the entry holds (entryCost), computed once: it is added when kept and taken off when dropped. */
  bytes: number;
}

/**
 * Bytes an entry holds beyond its text: the object, boxed numbers, slots in the ring and an incident.
 * Measured with Node 20 (heap per host with a full ring, against hostBytes): within 1 %.
 */
export const ENTRY_OVERHEAD_BYTES = 128;
/** Bytes of a cause object (its summary is the entry's own text, counted once). */
const CAUSE_BYTES = 32;

/** What an entry with this text (and cause) holds, at the text's real width (heap-size.ts). */
export function entryCost(text: string, cause: IncidentCause | null): number {
  return ENTRY_OVERHEAD_BYTES + textBytes(text) + (cause === null ? 0 : CAUSE_BYTES);
}

export function entryBytes(entry: ContextEntry): number {
  return entry.bytes;
}

/** The line as shown to people, like dmesg: `[    9.295222] text` (text alone without a timestamp). */
export function entryLine(entry: ContextEntry): string {
  const us = entry.timestampUs;
  if (us === null) return entry.text;
  const seconds = Math.floor(us / 1_000_000).toString().padStart(5, ' ');
  const fraction = (us % 1_000_000).toString().padStart(6, '0');
  return `[${seconds}.${fraction}] ${entry.text}`;
}

export interface ContextRing {
  entries: ContextEntry[];
  bytes: number;
}

export function createContextRing(): ContextRing {
  return { entries: [], bytes: 0 };
}

/** Inserts in order (from the end: records are nearly always in order) and trims the oldest. */
export function insertEntry(ring: ContextRing, entry: ContextEntry, maxEntries: number, maxBytes: number): void {
  insertSorted(ring.entries, entry);
  ring.bytes += entryBytes(entry);
  while (ring.entries.length > maxEntries || (ring.bytes > maxBytes && ring.entries.length > 1)) {
    const dropped = ring.entries.shift();
    if (dropped === undefined) break;
    ring.bytes -= entryBytes(dropped);
  }
}

export function clearRing(ring: ContextRing): void {
  ring.entries = [];
  ring.bytes = 0;
}

export function insertSorted(entries: ContextEntry[], entry: ContextEntry): void {
  const last = entries[entries.length - 1];
  if (last === undefined || last.order <= entry.order) {
    entries.push(entry);
    return;
  }
  let index = entries.length;
  while (index > 0 && (entries[index - 1]?.order ?? 0) > entry.order) index--;
  entries.splice(index, 0, entry);
}
