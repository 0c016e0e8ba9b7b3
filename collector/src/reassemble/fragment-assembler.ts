// Joins `ncfrag=<offset>/<total>` fragments of one extended record back into its body. Pure: the
// caller passes the time. Memory is bounded: fragments in flight per host and overall, total bytes
// held, record size and age. Anything beyond a limit is dropped and reported as a reason.
import type { ExtendedFrame } from '../types.js';

export interface FragmentLimits {
  /** Records being assembled at once per host; the oldest is dropped beyond. */
  maxInFlightPerHost: number;
  /** Records being assembled at once overall; the oldest is dropped beyond. */
  maxInFlight: number;
  /** Bytes of fragment data held overall; the oldest assemblies are dropped beyond. */
  maxBytesInFlight: number;
  /** Largest record body accepted (the kernel's are a few KiB at most). */
  maxRecordBytes: number;
  /** Fragments per record; the kernel sends ~1000-byte pieces, so a few. */
  maxFragmentsPerRecord: number;
  /** ms after its first fragment that an incomplete record is dropped. */
  maxAgeMs: number;
}

export const DEFAULT_FRAGMENT_LIMITS: FragmentLimits = {
  maxInFlightPerHost: 8,
  maxInFlight: 4096,
  maxBytesInFlight: 8 * 1024 * 1024,
  maxRecordBytes: 16 * 1024,
  maxFragmentsPerRecord: 64,
  maxAgeMs: 5000,
};

export type FragmentDropReason =
  | 'fragment-too-large'
  | 'fragment-too-many'
  | 'fragment-duplicate'
  | 'fragment-evicted'
  | 'fragment-expired';

export type FragmentResult =
  | { status: 'complete'; frame: ExtendedFrame; body: Buffer }
  | { status: 'pending' }
  | { status: 'dropped'; reason: FragmentDropReason };

interface Assembly {
  key: string;
  host: string;
  first: ExtendedFrame;
  total: number;
  /** Received pieces, sorted by offset, never overlapping fully covered ranges. */
  pieces: { offset: number; data: Buffer }[];
  covered: number;
  bytes: number;
  startedAt: number;
}

export interface FragmentAssembler {
  add(host: string, frame: ExtendedFrame, now: number): FragmentResult;
  /** Drops assemblies older than maxAgeMs; returns how many. */
  expire(now: number): number;
  /** The time (ms) before which `expire` drops nothing; null with nothing in flight. */
  nextExpiry(): number | null;
  dropHost(host: string): void;
  stats(): { inFlight: number; bytesInFlight: number; evicted: number };
}

export function createFragmentAssembler(limits: FragmentLimits = DEFAULT_FRAGMENT_LIMITS): FragmentAssembler {
  // Map iteration order is insertion order: the first entry is the oldest assembly.
  const all = new Map<string, Assembly>();
  const perHost = new Map<string, number>();
  let bytesInFlight = 0;
  let evicted = 0;

  function remove(assembly: Assembly): void {
    all.delete(assembly.key);
    bytesInFlight -= assembly.bytes;
    const count = (perHost.get(assembly.host) ?? 1) - 1;
    if (count <= 0) perHost.delete(assembly.host);
    else perHost.set(assembly.host, count);
  }

  function evictOldest(host: string | null): void {
    for (const assembly of all.values()) {
      if (host === null || assembly.host === host) {
        remove(assembly);
        evicted++;
        return;
      }
    }
  }

  function start(host: string, key: string, frame: ExtendedFrame, total: number, now: number): Assembly {
    while ((perHost.get(host) ?? 0) >= limits.maxInFlightPerHost) evictOldest(host);
    while (all.size >= limits.maxInFlight) evictOldest(null);
    const assembly: Assembly = { key, host, first: frame, total, pieces: [], covered: 0, bytes: 0, startedAt: now };
    all.set(key, assembly);
    perHost.set(host, (perHost.get(host) ?? 0) + 1);
    return assembly;
  }

  return {
    add(host, frame, now) {
      const fragment = frame.fragment;
      if (fragment === null) return { status: 'complete', frame, body: frame.body };
      if (fragment.total > limits.maxRecordBytes) return { status: 'dropped', reason: 'fragment-too-large' };
      const key = `${host}\u0000${frame.seq}`;
      let assembly = all.get(key);
      if (assembly !== undefined && (assembly.total !== fragment.total || assembly.first.timestampUs !== frame.timestampUs)) {
        // Same sequence number, different record: a new boot reused it. Keep the newer one.
        remove(assembly);
        assembly = undefined;
      }
      assembly ??= start(host, key, frame, fragment.total, now);
      const added = addPiece(assembly, fragment.offset, frame.body);
      if (added === 'duplicate') return { status: 'dropped', reason: 'fragment-duplicate' };
      bytesInFlight += frame.body.length;
      if (assembly.pieces.length > limits.maxFragmentsPerRecord) {
        remove(assembly);
        return { status: 'dropped', reason: 'fragment-too-many' };
      }
      while (bytesInFlight > limits.maxBytesInFlight && all.size > 0) {
        const oldest = all.values().next().value;
        if (oldest === undefined || oldest === assembly) break;
        remove(oldest);
        evicted++;
      }
      if (assembly.covered < assembly.total) return { status: 'pending' };
      remove(assembly);
      return { status: 'complete', frame: assembly.first, body: join(assembly) };
    },
    expire(now) {
      let dropped = 0;
      for (const assembly of all.values()) {
        if (now - assembly.startedAt < limits.maxAgeMs) break; // insertion order = age order
        remove(assembly);
        dropped++;
      }
      return dropped;
    },
    nextExpiry() {
      // expire() stops at the first (oldest inserted) assembly still young, so that one decides.
      for (const assembly of all.values()) return assembly.startedAt + limits.maxAgeMs;
      return null;
    },
    dropHost(host) {
      for (const assembly of all.values()) if (assembly.host === host) remove(assembly);
    },
    stats: () => ({ inFlight: all.size, bytesInFlight, evicted }),
  };
}

/** Inserts a piece unless its range is already fully covered; updates `covered` and `bytes`. */
function addPiece(assembly: Assembly, offset: number, data: Buffer): 'added' | 'duplicate' {
  const end = offset + data.length;
  let covered = 0;
  let position = 0;
  // Coverage of [offset, end) by existing pieces, walking the merged intervals.
  let cursor = offset;
  for (const piece of assembly.pieces) {
    const pieceEnd = piece.offset + piece.data.length;
    if (piece.offset <= cursor && pieceEnd > cursor) cursor = Math.min(pieceEnd, end);
    if (piece.offset < offset) position++;
  }
  if (cursor >= end) return 'duplicate';
  // Copy: the datagram buffer may be a slice of a larger pooled buffer that must not be retained.
  assembly.pieces.splice(position, 0, { offset, data: Buffer.from(data) });
  assembly.bytes += data.length;
  let reach = 0;
  for (const piece of assembly.pieces) {
    const pieceEnd = piece.offset + piece.data.length;
    if (pieceEnd <= reach) continue;
    covered += pieceEnd - Math.max(reach, piece.offset);
    reach = pieceEnd;
  }
  assembly.covered = covered;
  return 'added';
}

function join(assembly: Assembly): Buffer {
  const body = Buffer.alloc(assembly.total);
  for (const piece of assembly.pieces) piece.data.copy(body, piece.offset);
  return body;
}
