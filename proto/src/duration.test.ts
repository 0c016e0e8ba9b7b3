import { expect } from 'chai';
import fc from 'fast-check';
import { formatDuration, parseDuration } from './duration.js';

describe('parseDuration', () => {
  const cases: [input: string, want: number | null][] = [
    ['0', 0],
    ['400ms', 400],
    ['30s', 30_000],
    ['10m', 600_000],
    ['1h30m', 5_400_000],
    ['2d', 172_800_000],
    ['1d12h', 129_600_000],
    ['1m30s500ms', 90_500],
    ['1.5s', 1500],
    ['.5s', 500],
    ['0.4s', 400],
    ['1.5ms', 2],
    ['0s', 0],
    ['  10m  ', 600_000],
    ['', null],
    ['   ', null],
    ['400', null],
    ['-5s', null],
    ['+5s', null],
    ['5 s', null],
    ['1h 30m', null],
    ['5sx', null],
    ['x5s', null],
    ['5S', null],
    ['5us', null],
    ['5ns', null],
    ['1w', null],
    ['1.s', null],
    ['s', null],
    ['1e3ms', null],
    ['99999999999999999999d', null],
  ];
  for (const [input, want] of cases) it(`${JSON.stringify(input)} → ${want}`, () => expect(parseDuration(input)).to.equal(want));

  it('a failed parse leaves no state behind for the next one', () => {
    expect(parseDuration('5sx')).to.equal(null);
    expect(parseDuration('5s')).to.equal(5000);
  });
});

describe('formatDuration', () => {
  const cases: [number, string][] = [
    [0, '0'],
    [500, '500ms'],
    [1500, '1s500ms'],
    [5_400_000, '1h30m'],
    [604_800_000, '7d'],
    [93_784_005, '1d2h3m4s5ms'],
  ];
  for (const [ms, want] of cases) it(`${ms} → ${want}`, () => expect(formatDuration(ms)).to.equal(want));

  it('refuses what is no whole, non-negative number of milliseconds', () => {
    for (const bad of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) expect(() => formatDuration(bad)).to.throw(RangeError);
  });
});

describe('duration syntax (properties)', () => {
  const UNIT = { d: 86_400_000, h: 3_600_000, m: 60_000, s: 1000, ms: 1 } as const;
  const unit = fc.constantFrom(...(Object.keys(UNIT) as (keyof typeof UNIT)[]));
  const term = fc.record({ n: fc.integer({ min: 0, max: 10_000 }), unit });
  const ms = fc.integer({ min: 0, max: 1000 * 86_400_000 });

  it('parse(format(ms)) is ms for every whole number of milliseconds', () => {
    fc.assert(fc.property(ms, (x) => parseDuration(formatDuration(x)) === x));
  });

  it('any sequence of <integer><unit> terms, in any order and repeated, is the sum of its terms', () => {
    fc.assert(
      fc.property(fc.array(term, { minLength: 1, maxLength: 6 }), (terms) => {
        const text = terms.map((t) => `${t.n}${t.unit}`).join('');
        return parseDuration(text) === terms.reduce((sum, t) => sum + t.n * UNIT[t.unit], 0);
      }),
    );
  });

  it('surrounding blanks do not matter; anything else appended or prepended makes it no duration', () => {
    const junk = fc.constantFrom('x', '-', '+', '1 ', 'us', 'ns', 'w', 'e3', ',', 'M', 'S');
    fc.assert(
      fc.property(ms, junk, fc.boolean(), (x, j, before) => {
        const text = formatDuration(x === 0 ? 1 : x);
        if (parseDuration(`  ${text}\t`) !== (x === 0 ? 1 : x)) return false;
        return parseDuration(before ? `${j}${text}` : `${text}${j}`) === null;
      }),
    );
  });
});
