// Orders one host's extended records by sequence number: drops duplicates, lets late (reordered)
// records through, counts gaps and detects a sequence reset (the host rebooted). Pure.
//
// Within one boot, a higher sequence number never carries a much earlier kernel timestamp. A record
// that breaks this, a sequence number far below the highest seen, or a known sequence number with a
// different timestamp, comes from a new boot.

export interface SequenceLimits {
  /** How far below the highest sequence number a record may arrive and still count as reordered. */
  window: number;
  /** µs of timestamp disagreement tolerated between CPUs before calling it a new boot. */
  clockSlackUs: number;
}

export const DEFAULT_SEQUENCE_LIMITS: SequenceLimits = { window: 128, clockSlackUs: 1_000_000 };

export interface SequenceState {
  maxSeq: number | null;
  timestampAtMax: number;
  /** seq → timestamp of records seen within the window below maxSeq. */
  seen: Map<number, number>;
  /**
   * Whether `seen`'s keys are in ascending insertion order (no record arrived late since the last full
   * sweep). Then the keys below the window are a prefix of the map and trimming stops at the first
   * key inside the window instead of visiting all of them for every record.
   */
  ascending: boolean;
  /** The key inserted last into `seen`. */
  lastKey: number;
  /** Sequence numbers currently missing between records seen (filled ones are subtracted). */
  gaps: number;
  resets: number;
}

export type SequenceVerdict = 'next' | 'late' | 'duplicate' | 'reset';

export function createSequenceState(): SequenceState {
  return { maxSeq: null, timestampAtMax: 0, seen: new Map(), ascending: true, lastKey: -1, gaps: 0, resets: 0 };
}

/** Judges a record without changing state (so the caller can check duplicates before assembling). */
export function judgeSequence(state: SequenceState, seq: number, timestampUs: number, limits: SequenceLimits): SequenceVerdict {
  const max = state.maxSeq;
  if (max === null) return 'next';
  // Every key of `seen` is at most maxSeq, so a higher number (nearly every record) needs no lookup.
  if (seq > max) return timestampUs + limits.clockSlackUs < state.timestampAtMax ? 'reset' : 'next';
  const known = state.seen.get(seq);
  if (known !== undefined) return known === timestampUs ? 'duplicate' : 'reset';
  if (seq < max - limits.window) return 'reset';
  return timestampUs > state.timestampAtMax + limits.clockSlackUs ? 'reset' : 'late';
}

/** Records an accepted record (verdict next, late or reset) in the state. */
export function acceptSequence(
  state: SequenceState,
  seq: number,
  timestampUs: number,
  verdict: SequenceVerdict,
  limits: SequenceLimits,
): void {
  if (verdict === 'duplicate') return;
  if (verdict === 'reset') {
    state.maxSeq = null;
    state.seen.clear();
    state.ascending = true;
    state.lastKey = -1;
    state.gaps = 0;
    state.resets++;
  }
  const max = state.maxSeq;
  if (max === null || seq > max) {
    if (max !== null) state.gaps += seq - max - 1;
    state.maxSeq = seq;
    state.timestampAtMax = timestampUs;
  } else if (state.gaps > 0) {
    state.gaps--;
  }
  const size = state.seen.size;
  state.seen.set(seq, timestampUs);
  if (state.seen.size > size) {
    if (seq < state.lastKey) state.ascending = false;
    state.lastKey = seq;
  }
  const floor = (state.maxSeq ?? seq) - limits.window;
  if (state.seen.size > limits.window + 1) trimBelow(state, floor);
}

/** Deletes the keys of `seen` below `floor`. */
function trimBelow(state: SequenceState, floor: number): void {
  const seen = state.seen;
  if (state.ascending) {
    for (const known of seen.keys()) {
      if (known >= floor) return;
      seen.delete(known);
    }
    return;
  }
  let ascending = true;
  let previous = -1;
  for (const known of seen.keys()) {
    if (known < floor) {
      seen.delete(known);
      continue;
    }
    if (known < previous) ascending = false;
    previous = known;
  }
  state.ascending = ascending;
  state.lastKey = previous;
}
