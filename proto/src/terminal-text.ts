// Kernel text (and anything a datagram's sender chose) shown on a terminal. A netconsole line can
// carry any bytes: ESC or CSI (U+009B) sequences would move the cursor, rewrite what was printed or
// set the window title of whoever runs `lastgasp incident` or `replay`. Every human-readable output
// passes its untrusted text through `sanitise`; JSON output through `terminalJson`, which keeps every
// value exact.
//
// Invalid UTF-8 is already U+FFFD once decoded; what remains to neutralise are control characters
// that are valid Unicode, and lone surrogates (which some decoders produce).

/** C0 (U+0000–U+001F, including tab and newline), DEL (U+007F), C1 (U+0080–U+009F), or a lone surrogate. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const UNSAFE = /[\u0000-\u001f\u007f-\u009f]|\p{Cs}/gu;

/** Raw DEL and C1 characters in JSON text (JSON.stringify escapes C0 already, but not these). */
const UNSAFE_IN_JSON = /[\u007f-\u009f]/g;

function hex2(code: number): string {
  return code.toString(16).padStart(2, '0');
}

/**
 * Text safe to print: every control character becomes its `\xNN` escape (the form the kernel itself
 * uses for non-printable bytes, e.g. ESC → `\x1b`, CSI → `\x9b`), a lone surrogate becomes U+FFFD.
 * Printable text, including any other Unicode, is unchanged.
 */
export function sanitise(text: string): string {
  return text.replace(UNSAFE, (c) => {
    const code = c.charCodeAt(0);
    return code >= 0xd800 ? '\ufffd' : `\\x${hex2(code)}`;
  });
}

/**
 * `JSON.stringify(value, null, indent)` with DEL and C1 characters written as `\u00NN` escapes: the
 * same value for any JSON reader, nothing a terminal acts on. (Lone surrogates are escaped by
 * JSON.stringify itself.)
 */
export function terminalJson(value: unknown, indent?: number): string {
  return JSON.stringify(value, null, indent).replace(UNSAFE_IN_JSON, (c) => `\\u00${hex2(c.charCodeAt(0))}`);
}
