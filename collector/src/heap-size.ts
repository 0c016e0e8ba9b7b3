// What strings and buffers really hold on the heap, and copies that hold nothing but themselves.
//
// Memory bounds are only as good as their accounting. Two V8 facts matter for network input:
// - A string is stored one byte per character only while every character is ≤ U+00FF; otherwise
//   (e.g. a U+FFFD from invalid UTF-8) it takes two bytes per character.
// - A substring (`slice`, `split`, a regular expression group) longer than a few characters is a
//   view that keeps its whole parent alive, and `Buffer#subarray` keeps the whole underlying
//   ArrayBuffer alive (for the batch receiver: every datagram of a ~2 MiB wake-up).
// So whatever outlives one datagram is copied here first, and counted with textBytes/bytesHeld.
// Imported by every stage, like types.ts: it imports nothing but the vocabulary's types.
import type { Incident } from './types.js';

/** Any character that needs V8's two-byte representation. On a one-byte string V8 answers at once. */
const TWO_BYTE = /[\u0100-\uffff]/;

/** V8 string header (map, hash, length), rounded to the allocation granule. */
export const STRING_OVERHEAD_BYTES = 16;


/** Bytes a string made by copyText (or any flat string) holds: its characters at their width plus a header. */
export function textBytes(text: string): number {
  return text.length * (TWO_BYTE.test(text) ? 2 : 1) + STRING_OVERHEAD_BYTES;
}

/**
 * A flat copy of `text` that shares nothing with the string it came from, in V8's one-byte form
 * whenever every character allows it (a slice of a two-byte string stays two-byte otherwise, and
 * textBytes would under-count it by half).
 */
export function copyText(text: string): string {
  if (text === '') return '';
  return TWO_BYTE.test(text) ? Buffer.from(text, 'utf16le').toString('utf16le') : Buffer.from(text, 'latin1').toString('latin1');
}

/**
 * The bytes of `data` as a one-byte string of the same length (one character per byte): a copy inside
 * V8's heap, sharing nothing with `data` (a view into a receive batch or the allocation pool). Kept
 * pieces live there rather than in a Buffer each: every Buffer is a malloc'd block of its own, and a
 * flood of short-lived ones left the process holding freed memory it never gave back (RSS 180 MiB with
 * 36 MiB of heap after a million never-completed fragments), where the garbage collector compacts the
 * heap and returns it. `Buffer.from(copy, 'latin1')` gives the bytes back.
 */
export function bytesAsText(data: Buffer): string {
  return data.toString('latin1');
}

/** Bytes of one kernel line of an incident beyond its characters: the array slot and the string's own parts. */
export const LINE_OVERHEAD_BYTES = 48;
/** Bytes of an incident object beyond its texts (its fields, the lines array, the userdata object). */
export const INCIDENT_OVERHEAD_BYTES = 256;
/** Bytes of one property of a dictionary-mode object (userdata, cause) beyond its texts. */
const PROPERTY_BYTES = 24;

export function lineBytes(line: string): number {
  return textBytes(line) + LINE_OVERHEAD_BYTES;
}

/** Bytes of an incident's texts other than its kernel lines. */
export function incidentFieldBytes(incident: Incident): number {
  let bytes = textBytes(incident.id) + textBytes(incident.source) + textBytes(incident.summary);
  if (incident.kernelRelease !== null) bytes += textBytes(incident.kernelRelease);
  if (incident.cause !== null) bytes += PROPERTY_BYTES + textBytes(incident.cause.summary);
  for (const [key, value] of Object.entries(incident.userdata)) bytes += PROPERTY_BYTES + textBytes(key) + textBytes(value);
  return bytes;
}

/** Bytes an incident holds: object, texts and every kernel line. */
export function incidentBytes(incident: Incident): number {
  let bytes = INCIDENT_OVERHEAD_BYTES + incidentFieldBytes(incident);
  for (const line of incident.lines) bytes += lineBytes(line);
  return bytes;
}
