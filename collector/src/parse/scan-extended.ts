// Fast path of the extended-format parser: reads the header of a well-formed datagram straight from
// its bytes (no header string, no split, no regular expressions). It accepts only headers whose
// meaning is certain and returns null for everything else, which then goes through the general
// parser (parse-extended.ts) and gets exactly its result, including the error value and detail.
// Invariant (property-tested): whenever this returns a frame, parseExtended returns an equal one.
import type { ExtendedFrame } from '../types.js';

const SEMICOLON = 0x3b;
const COMMA = 0x2c;
const ZERO = 0x30;
const NINE = 0x39;
const SLASH = 0x2f;
/** Same bound as the general parser: `;` must come within the first 256 bytes. */
const MAX_HEADER_BYTES = 256;
const MAX_DIGITS = 15;
const MAX_FRAGMENT_DIGITS = 9;
const MAX_RELEASE_BYTES = 64;
const MAX_PREFIX = 0x3ff;
/** `ncfrag=` in bytes. */
const NCFRAG = [0x6e, 0x63, 0x66, 0x72, 0x61, 0x67, 0x3d];

/** Characters of a kernel release (`uname -r`): [0-9A-Za-z._+~-]. */
function isReleaseByte(b: number): boolean {
  return (
    (b >= ZERO && b <= NINE) ||
    (b >= 0x41 && b <= 0x5a) ||
    (b >= 0x61 && b <= 0x7a) ||
    b === 0x2e || b === 0x5f || b === 0x2b || b === 0x7e || b === 0x2d
  );
}

/** Cursor over one header; `value` holds the last number read. */
interface Cursor {
  at: number;
  value: number;
}

/**
 * Reads 1..maxDigits decimal digits from `cursor.at`, followed by the byte `stop` (then skipped), or
 * by `end` itself when `stop` is -1. False otherwise.
 */
function readNumber(payload: Buffer, cursor: Cursor, end: number, stop: number, maxDigits: number): boolean {
  let value = 0;
  let i = cursor.at;
  const first = i;
  while (i < end) {
    const b = payload[i] ?? 0;
    if (b < ZERO || b > NINE) break;
    value = value * 10 + (b - ZERO);
    i++;
  }
  const digits = i - first;
  if (digits === 0 || digits > maxDigits) return false;
  if (stop === -1 ? i !== end : i >= end || payload[i] !== stop) return false;
  cursor.at = i + 1;
  cursor.value = value;
  return true;
}

/**
 * The release prefix field starting at 0, when it is one: starts with a digit, has a non-digit, only
 * release characters, at most 64 bytes, ends with a comma. Returns the offset after its comma, 0 when
 * the first field is not a release (the caller then reads it as the prefix), -1 when unsure.
 */
function skipRelease(payload: Buffer, end: number): number {
  let i = 0;
  let digitsOnly = true;
  while (i < end && payload[i] !== COMMA) {
    const b = payload[i] ?? 0;
    if (!isReleaseByte(b)) return -1;
    if (b < ZERO || b > NINE) digitsOnly = false;
    i++;
  }
  if (i >= end) return -1;
  const first = payload[0] ?? 0;
  if (digitsOnly) return i <= MAX_DIGITS ? 0 : -1;
  if (first < ZERO || first > NINE || i > MAX_RELEASE_BYTES) return -1;
  return i + 1;
}

function startsWithNcfrag(payload: Buffer, at: number, end: number): boolean {
  if (at + NCFRAG.length > end) return false;
  for (let k = 0; k < NCFRAG.length; k++) if (payload[at + k] !== NCFRAG[k]) return false;
  return true;
}

/**
 * The first `ncfrag=<offset>/<total>` among the extra fields in [from, semicolon): null when there is
 * none, undefined when it is malformed or does not fit the body (the general parser then says why).
 */
function scanFragment(payload: Buffer, from: number, semicolon: number): ExtendedFrame['fragment'] | undefined {
  const bodyLength = payload.length - semicolon - 1;
  for (let at = from; at < semicolon; ) {
    let next = payload.indexOf(COMMA, at);
    if (next < 0 || next > semicolon) next = semicolon;
    if (startsWithNcfrag(payload, at, next)) {
      const c: Cursor = { at: at + NCFRAG.length, value: 0 };
      if (!readNumber(payload, c, next, SLASH, MAX_FRAGMENT_DIGITS)) return undefined;
      const offset = c.value;
      if (!readNumber(payload, c, next, -1, MAX_FRAGMENT_DIGITS)) return undefined;
      const total = c.value;
      if (total === 0 || bodyLength === 0 || offset + bodyLength > total) return undefined;
      return { offset, total };
    }
    at = next + 1;
  }
  return null;
}

/** A frame when the datagram is plainly well-formed extended format; null to use the general parser. */
export function scanExtended(payload: Buffer): ExtendedFrame | null {
  const limit = Math.min(payload.length, MAX_HEADER_BYTES);
  const semicolon = payload.indexOf(SEMICOLON);
  if (semicolon < 0 || semicolon >= limit) return null;
  const releaseEnd = skipRelease(payload, semicolon);
  if (releaseEnd < 0) return null;
  const cursor: Cursor = { at: releaseEnd, value: 0 };
  if (!readNumber(payload, cursor, semicolon, COMMA, MAX_DIGITS)) return null;
  const prefix = cursor.value;
  if (prefix > MAX_PREFIX || !readNumber(payload, cursor, semicolon, COMMA, MAX_DIGITS)) return null;
  const seq = cursor.value;
  if (!readNumber(payload, cursor, semicolon, COMMA, MAX_DIGITS)) return null;
  const timestampUs = cursor.value;
  const flagAt = cursor.at;
  const flag = payload[flagAt];
  if ((flag !== 0x2d && flag !== 0x63 && flag !== 0x2b) || (flagAt + 1 !== semicolon && payload[flagAt + 1] !== COMMA)) return null;
  const fragment = scanFragment(payload, flagAt + 2, semicolon);
  if (fragment === undefined) return null;
  return {
    ok: true,
    format: 'extended',
    release: releaseEnd === 0 ? null : payload.toString('latin1', 0, releaseEnd - 1),
    facility: prefix >> 3,
    level: prefix & 7,
    seq,
    timestampUs,
    continuation: flag !== 0x2d,
    fragment,
    body: payload.subarray(semicolon + 1),
  };
}
