// Joins `ncfrag=<offset>/<total>` fragments of one extended record back into its body. Pure: the
// caller passes the time. Memory is bounded: fragments in flight per host and overall, bytes held,
// record size and age. Anything beyond a limit is dropped and reported as a reason.
//
// What an assembly keeps is its own: the few header numbers it needs and a copy of each piece, never
// the frame or a view into the datagram (the batch receiver's datagrams are views into one buffer per
// wake-up, so one kept view would keep the whole batch). Every step is O(1) in the number of
// assemblies in flight, or O(its own pieces): eviction takes the first entry of an insertion-ordered
// map (overall, or the host's own).
import { bytesAsText, textBytes } from '../heap-size.js';
import type { ExtendedFrame } from '../types.js';

export interface FragmentLimits {
  /** Records being assembled at once per host; the oldest is dropped beyond. */
  maxInFlightPerHost: number;
  /** Records being assembled at once overall; the oldest is dropped beyond. */
  maxInFlight: number;
  /** Bytes held by assemblies overall (data, copies' overhead, bookkeeping); the oldest are dropped beyond. */
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
  | { status: 'complete'; body: Buffer }
  | { status: 'pending' }
  | { status: 'dropped'; reason: FragmentDropReason };

/** Bytes an assembly holds beyond its key and pieces: the object, its pieces array, two map entries. */
export const ASSEMBLY_OVERHEAD_BYTES = 256;
/** Bytes a piece holds beyond its copy: the `{ offset, data }` object and its array slot. */
export const PIECE_OVERHEAD_BYTES = 48;

interface Piece {
  offset: number;
  /** The piece's bytes, one character each (heap-size.ts bytesAsText): an own copy in the JS heap. */
  bytes: string;
}

interface Assembly {
  key: string;
  host: string;
  /** Copied from the first fragment: a later one must agree, or it belongs to another record. */
  timestampUs: number;
  total: number;
  /** Received pieces (own copies), sorted by offset, never overlapping fully covered ranges. */
  pieces: Piece[];
  covered: number;
  /** What the assembly holds, as accounted in bytesInFlight. */
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
  // Map iteration order is insertion order: the first entry is the oldest assembly, overall and per host.
  const all = new Map<string, Assembly>();
  const byHost = new Map<string, Map<string, Assembly>>();
  let bytesInFlight = 0;
  let evicted = 0;

  function remove(assembly: Assembly): void {
    all.delete(assembly.key);
    bytesInFlight -= assembly.bytes;
    const own = byHost.get(assembly.host);
    own?.delete(assembly.key);
    if (own?.size === 0) byHost.delete(assembly.host);
  }

  function evict(assembly: Assembly | undefined): void {
    if (assembly === undefined) return;
    remove(assembly);
    evicted++;
  }

  function oldest(map: Map<string, Assembly> | undefined): Assembly | undefined {
    return map?.values().next().value;
  }

  function start(host: string, key: string, frame: ExtendedFrame, total: number, now: number): Assembly {
    while ((byHost.get(host)?.size ?? 0) >= limits.maxInFlightPerHost) evict(oldest(byHost.get(host)));
    while (all.size >= limits.maxInFlight) evict(oldest(all));
    const bytes = ASSEMBLY_OVERHEAD_BYTES + textBytes(key);
    const assembly: Assembly = { key, host, timestampUs: frame.timestampUs, total, pieces: [], covered: 0, bytes, startedAt: now };
    all.set(key, assembly);
    let own = byHost.get(host);
    if (own === undefined) {
      own = new Map();
      byHost.set(host, own);
    }
    own.set(key, assembly);
    bytesInFlight += bytes;
    return assembly;
  }

  return {
    add(host, frame, now) {
      const fragment = frame.fragment;
      if (fragment === null) return { status: 'complete', body: frame.body };
      if (fragment.total > limits.maxRecordBytes) return { status: 'dropped', reason: 'fragment-too-large' };
      const key = `${host}\u0000${frame.seq}`;
      let assembly = all.get(key);
      if (assembly !== undefined && (assembly.total !== fragment.total || assembly.timestampUs !== frame.timestampUs)) {
        // Same sequence number, different record: a new boot reused it. Keep the newer one.
        remove(assembly);
        assembly = undefined;
      }
      assembly ??= start(host, key, frame, fragment.total, now);
      const added = addPiece(assembly, fragment.offset, frame.body);
      if (added === 0) return { status: 'dropped', reason: 'fragment-duplicate' };
      bytesInFlight += added;
      if (assembly.pieces.length > limits.maxFragmentsPerRecord) {
        remove(assembly);
        return { status: 'dropped', reason: 'fragment-too-many' };
      }
      while (bytesInFlight > limits.maxBytesInFlight) {
        const first = oldest(all);
        if (first === undefined || first === assembly) break;
        evict(first);
      }
      if (assembly.covered < assembly.total) return { status: 'pending' };
      remove(assembly);
      return { status: 'complete', body: join(assembly) };
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
      const first = oldest(all);
      return first === undefined ? null : first.startedAt + limits.maxAgeMs;
    },
    dropHost(host) {
      const own = byHost.get(host);
      if (own === undefined) return;
      for (const assembly of [...own.values()]) remove(assembly);
    },
    stats: () => ({ inFlight: all.size, bytesInFlight, evicted }),
  };
}

/**
 * Inserts a copy of the piece unless its range is already fully covered; updates `covered` and
 * `bytes`. Returns the bytes added (0: a duplicate).
 */
function addPiece(assembly: Assembly, offset: number, data: Buffer): number {
  const end = offset + data.length;
  let position = 0;
  // Coverage of [offset, end) by existing pieces, walking the merged intervals.
  let cursor = offset;
  for (const piece of assembly.pieces) {
    const pieceEnd = piece.offset + piece.bytes.length;
    if (piece.offset <= cursor && pieceEnd > cursor) cursor = Math.min(pieceEnd, end);
    if (piece.offset < offset) position++;
  }
  if (cursor >= end) return 0;
  const copy = bytesAsText(data);
  assembly.pieces.splice(position, 0, { offset, bytes: copy });
  const bytes = textBytes(copy) + PIECE_OVERHEAD_BYTES;
  assembly.bytes += bytes;
  let covered = 0;
  let reach = 0;
  for (const piece of assembly.pieces) {
    const pieceEnd = piece.offset + piece.bytes.length;
    if (pieceEnd <= reach) continue;
    covered += pieceEnd - Math.max(reach, piece.offset);
    reach = pieceEnd;
  }
  assembly.covered = covered;
  return bytes;
}

function join(assembly: Assembly): Buffer {
  const body = Buffer.alloc(assembly.total);
  for (const piece of assembly.pieces) body.write(piece.bytes, piece.offset, 'latin1');
  return body;
}
