import { expect } from 'chai';
import { microTime } from './kube-cluster-api.js';

describe('microTime', () => {
  const cases: [string, number, string][] = [
    ['a time with milliseconds', Date.UTC(2026, 10, 28, 13, 5, 7, 42), '2026-11-28T13:05:07.042000Z'],
    ['a whole second', Date.UTC(2026, 0, 1, 0, 0, 0, 0), '2026-01-01T00:00:00.000000Z'],
  ];
  for (const [name, ms, text] of cases) {
    it(`${name} → ${text} (six fractional digits, as the API server's MicroTime parses)`, () => expect(microTime(ms)).to.equal(text));
  }
});
