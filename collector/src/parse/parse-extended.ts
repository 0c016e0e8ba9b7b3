// Extended netconsole format (`extended=1`), one record or record fragment per datagram:
//   [<release>,]<prefix>,<seq>,<timestamp_usec>,<flags>[,ncfrag=<offset>/<total>][,<other>...];<body>
// <prefix> = facility << 3 | level. <body> = text, `\n`, then ` key=value\n` lines (device properties
// and, from 6.9, configfs userdata). Non-printable bytes arrive escaped as `\xNN` and are kept so.
import { copyText } from '../heap-size.js';
import { parseError, type ExtendedFrame, type ParseError } from '../types.js';

const SEMICOLON = 0x3b;
const NEWLINE = 0x0a;
/** Shared by every record without userdata (nearly all); frozen, so a stage that wrote to it would throw. */
const NO_USERDATA: Record<string, string> = Object.freeze({});
/** A header is short; looking further for `;` would only scan legacy text for nothing. */
const MAX_HEADER_BYTES = 256;
const DIGITS = /^\d{1,15}$/;
const FRAGMENT = /^ncfrag=(\d{1,9})\/(\d{1,9})$/;
/** Kernel releases start with a digit and use only these characters (`uname -r`). */
const RELEASE = /^[0-9][0-9A-Za-z._+~-]{0,63}$/;
/** Highest prefix the kernel can produce: facility is masked with LOG_FACMASK (0x3f8). */
const MAX_PREFIX = 0x3ff;

/**
 * Whether a datagram is meant as extended format: a `;` within the first bytes and a header that
 * starts like `<n>,<n>,` (optionally after a release). Only such datagrams get `bad-header` when
 * malformed; anything else is legacy console text.
 */
export function looksExtended(payload: Buffer): number {
  const limit = Math.min(payload.length, MAX_HEADER_BYTES);
  const semicolon = payload.subarray(0, limit).indexOf(SEMICOLON);
  if (semicolon < 0) return -1;
  const header = payload.toString('latin1', 0, semicolon);
  return /^(?:[0-9][^,;\s]*,)?\d+,\d+,/.test(header) ? semicolon : -1;
}

/** Parses a datagram already known to look extended (`semicolon` from `looksExtended`). */
export function parseExtended(payload: Buffer, semicolon: number): ExtendedFrame | ParseError {
  const header = payload.toString('latin1', 0, semicolon);
  const fields = header.split(',');
  let release: string | null = null;
  const first = fields[0] ?? '';
  if (!DIGITS.test(first)) {
    if (!RELEASE.test(first)) return parseError('bad-header', `bad release prefix "${first}"`);
    release = first;
    fields.shift();
  }
  const [prefixText = '', seqText = '', tsText = '', flags = '', ...extras] = fields;
  if (!DIGITS.test(prefixText) || !DIGITS.test(seqText) || !DIGITS.test(tsText)) {
    return parseError('bad-header', `header "${header.slice(0, 64)}" needs numeric prefix, seq, timestamp`);
  }
  const prefix = Number(prefixText);
  if (prefix > MAX_PREFIX) return parseError('bad-header', `prefix ${prefix} out of range`);
  if (flags !== '-' && flags !== 'c' && flags !== '+') {
    return parseError('bad-header', `unknown flags "${flags.slice(0, 16)}"`);
  }
  const body = payload.subarray(semicolon + 1);
  const fragment = parseFragment(extras, body.length);
  if (fragment !== null && 'ok' in fragment) return fragment;
  return {
    ok: true,
    format: 'extended',
    release,
    facility: prefix >> 3,
    level: prefix & 7,
    seq: Number(seqText),
    timestampUs: Number(tsText),
    continuation: flags !== '-',
    fragment,
    body,
  };
}

/** The `ncfrag=<offset>/<total>` field among the extra header fields, if any. */
function parseFragment(extras: string[], bodyLength: number): ExtendedFrame['fragment'] | ParseError {
  for (const extra of extras) {
    if (!extra.startsWith('ncfrag=')) continue; // e.g. caller=T123 (CONFIG_PRINTK_CALLER): not needed
    const match = FRAGMENT.exec(extra);
    if (match === null) return parseError('bad-fragment', `malformed "${extra.slice(0, 32)}"`);
    const offset = Number(match[1]);
    const total = Number(match[2]);
    if (total === 0 || bodyLength === 0 || offset + bodyLength > total) {
      return parseError('bad-fragment', `fragment ${offset}+${bodyLength} outside total ${total}`);
    }
    return { offset, total };
  }
  return null;
}

/**
 * Splits a complete body into its text and ` key=value` lines. Lines that are neither are ignored:
 * the kernel escapes newlines inside the text, so the first line is the whole message. Every string
 * returned is its own (decoded from the bytes, or copied), so keeping one keeps nothing else.
 */
export function parseExtendedBody(body: Buffer): { text: string; userdata: Record<string, string> } {
  // Decoding up to the first newline byte gives the same text as decoding all and splitting: 0x0a is
  // never part of a multi-byte UTF-8 sequence, so it ends any incomplete one on both sides alike.
  const newline = body.indexOf(NEWLINE);
  if (newline < 0) return { text: body.toString('utf8'), userdata: NO_USERDATA };
  const text = body.toString('utf8', 0, newline);
  if (newline + 1 >= body.length) return { text, userdata: NO_USERDATA };
  const lines = body.toString('utf8', newline + 1).split('\n');
  const userdata: Record<string, string> = {};
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (!line.startsWith(' ')) continue;
    const eq = line.indexOf('=');
    if (eq < 2) continue;
    // defineProperty: a key such as `__proto__` must become data, never a prototype change.
    Object.defineProperty(userdata, line.slice(1, eq), {
      value: copyText(line.slice(eq + 1)),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return { text, userdata };
}
