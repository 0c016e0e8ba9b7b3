// Legacy console text arrives in pieces of up to 1000 bytes that need not end at a line break: keep
// the unfinished tail per host until the rest arrives, the host goes quiet, or it grows too long.
// The tail outlives its datagram, so it is a copy (a slice would keep the whole datagram's text).
import { copyText } from '../heap-size.js';

export interface LegacyLineState {
  carry: string;
}

export function createLegacyLineState(): LegacyLineState {
  return { carry: '' };
}

/** Appends a datagram's text; returns the lines it completed (without line breaks). */
export function pushLegacyText(state: LegacyLineState, text: string, maxLineBytes: number): string[] {
  const parts = (state.carry + text).split('\n');
  const tail = parts.pop() ?? '';
  if (tail.length > maxLineBytes) {
    parts.push(tail);
    state.carry = '';
  } else {
    state.carry = copyText(tail);
  }
  return parts;
}

/** Returns the unfinished tail as a line (empty array when there is none) and clears it. */
export function flushLegacyText(state: LegacyLineState): string[] {
  const carry = state.carry;
  state.carry = '';
  return carry === '' ? [] : [carry];
}
