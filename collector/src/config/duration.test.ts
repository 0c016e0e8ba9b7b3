import { expect } from 'chai';
import { parseDuration } from './duration.js';

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
