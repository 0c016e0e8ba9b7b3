import { expect } from 'chai';
import { sanitise, terminalJson } from './terminal-text.js';

/** Any character a terminal may act on: C0 but newline, DEL, C1. */
// eslint-disable-next-line no-control-regex -- looking for control characters is the point
const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;

describe('sanitise', () => {
  const rows: { name: string; input: string; output: string }[] = [
    { name: 'plain ASCII → unchanged', input: 'Kernel panic - not syncing: Fatal exception', output: 'Kernel panic - not syncing: Fatal exception' },
    { name: 'other Unicode → unchanged', input: 'café € 😀 名前', output: 'café € 😀 名前' },
    { name: 'ESC colour sequence (C0) → \\x1b', input: '\u001b[31mred\u001b[0m', output: '\\x1b[31mred\\x1b[0m' },
    { name: 'window title OSC with BEL → \\x1b … \\x07', input: '\u001b]0;pwned\u0007', output: '\\x1b]0;pwned\\x07' },
    { name: 'NUL, tab, newline, CR → escaped', input: 'a\u0000b\tc\nd\re', output: 'a\\x00b\\x09c\\x0ad\\x0de' },
    { name: 'DEL → \\x7f', input: 'x\u007fy', output: 'x\\x7fy' },
    { name: 'C1 CSI (U+009B) → \\x9b', input: '\u009b2J', output: '\\x9b2J' },
    { name: 'C1 NEL and APC (U+0085, U+009F) → escaped', input: '\u0085\u009f', output: '\\x85\\x9f' },
    { name: 'U+00A0 (first after C1) → unchanged', input: '\u00a0', output: '\u00a0' },
    { name: 'a lone surrogate → U+FFFD', input: 'a\ud800b\udc00', output: 'a\ufffdb\ufffd' },
    { name: 'a surrogate pair → unchanged', input: '\ud83d\ude00', output: '\ud83d\ude00' },
    { name: 'the text "\\x1b" (backslash, x, 1, b) → unchanged', input: '\\x1b', output: '\\x1b' },
  ];
  for (const row of rows) {
    it(row.name, () => expect(sanitise(row.input)).to.equal(row.output));
  }

  it('invalid UTF-8 (a stray 0xff, an overlong ESC 0xc0 0x9b), raw ESC and a valid U+009B, decoded → nothing raw passes', () => {
    const decoded = Buffer.from([0x41, 0xff, 0xc0, 0x9b, 0x1b, 0x5b, 0x32, 0x4a, 0xc2, 0x9b, 0x42]).toString('utf8');
    const shown = sanitise(decoded);
    expect(shown).to.equal('A\ufffd\ufffd\ufffd\\x1b[2J\\x9bB');
    expect(shown).to.not.match(RAW_CONTROL);
  });

  it('every one of U+0000–U+00FF → a printable result', () => {
    for (let code = 0; code <= 0xff; code++) expect(sanitise(String.fromCharCode(code))).to.not.match(RAW_CONTROL);
  });
});

describe('terminalJson', () => {
  const hostile = { summary: '\u001b[2J\u009b31m\u007f\u0085 end', lines: ['\u0000', 'a\ud800'], plain: 'café €' };

  it('control characters in values → escaped in the text, the same values when parsed', () => {
    for (const indent of [undefined, 2]) {
      const text = terminalJson(hostile, indent);
      expect(text).to.not.match(RAW_CONTROL);
      expect(JSON.parse(text)).to.deep.equal(hostile);
    }
    expect(terminalJson(hostile)).to.include('\\u009b31m\\u007f\\u0085');
  });

  it('nothing to escape → exactly JSON.stringify', () => {
    const value = { a: 'café € 😀', b: [1, null, true] };
    expect(terminalJson(value, 2)).to.equal(JSON.stringify(value, null, 2));
  });
});
