import { expect } from 'chai';
import { medianMicrosPerDatagram, type CostSample } from './cpu-cost.js';

describe('medianMicrosPerDatagram', () => {
  const cases: [string, CostSample[], number | null][] = [
    ['no samples', [], null],
    ['only samples below 10,000 datagrams', [{ cpuSeconds: 1, datagrams: 9_999 }], null],
    ['one sample: 0.5 s over 100,000', [{ cpuSeconds: 0.5, datagrams: 100_000 }], 5],
    ['three samples 2, 9, 4 µs', [
      { cpuSeconds: 0.2, datagrams: 100_000 },
      { cpuSeconds: 0.9, datagrams: 100_000 },
      { cpuSeconds: 0.4, datagrams: 100_000 },
    ], 4],
    ['two samples 2 and 4 µs', [
      { cpuSeconds: 0.2, datagrams: 100_000 },
      { cpuSeconds: 0.4, datagrams: 100_000 },
    ], 3],
  ];
  for (const [name, samples, expected] of cases) {
    it(name, () => {
      const value = medianMicrosPerDatagram(samples);
      if (expected === null) expect(value).to.equal(null);
      else expect(value).to.be.closeTo(expected, 1e-9);
    });
  }
});
