// Parse stage entry point: one datagram payload → an extended frame, legacy text, or an error value.
import { looksExtended, parseExtended } from './parse-extended.js';
import { parseError, type ParseResult } from '../types.js';
import { scanExtended } from './scan-extended.js';

/** Larger than any datagram netconsole sends (≤ 1000 bytes of text plus a header). */
export const DEFAULT_MAX_DATAGRAM_BYTES = 8192;

export function parseDatagram(payload: Buffer, maxBytes = DEFAULT_MAX_DATAGRAM_BYTES): ParseResult {
  if (payload.length === 0) return parseError('empty', 'zero-length datagram');
  if (payload.length > maxBytes) return parseError('too-long', `${payload.length} bytes > ${maxBytes}`);
  const plain = scanExtended(payload);
  if (plain !== null) return plain;
  const semicolon = looksExtended(payload);
  if (semicolon >= 0) return parseExtended(payload, semicolon);
  return { ok: true, format: 'legacy', text: payload.toString('utf8') };
}
