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
  /** Sequence numbers currently missing between records seen (filled ones are subtracted). */
  gaps: number;
  resets: number;
}

export type SequenceVerdict = 'next' | 'late' | 'duplicate' | 'reset';

export function createSequenceState(): SequenceState {
  return { maxSeq: null, timestampAtMax: 0, seen: new Map(), gaps: 0, resets: 0 };
}

/** Judges a record without changing state (so the caller can check duplicates before assembling). */
export function judgeSequence(state: SequenceState, seq: number, timestampUs: number, limits: SequenceLimits): SequenceVerdict {
  const max = state.maxSeq;
  if (max === null) return 'next';
  const known = state.seen.get(seq);
  if (known !== undefined) return known === timestampUs ? 'duplicate' : 'reset';
  if (seq > max) return timestampUs + limits.clockSlackUs < state.timestampAtMax ? 'reset' : 'next';
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
  state.seen.set(seq, timestampUs);
  const floor = (state.maxSeq ?? seq) - limits.window;
  if (state.seen.size > limits.window + 1) {
    for (const known of state.seen.keys()) if (known < floor) state.seen.delete(known);
  }
}
