import { expect } from 'chai';
import { nodeAddress, parseNodeCount } from './cli-args.js';

describe('npm run cluster arguments', () => {
  const counts: { input: string | undefined; want: number | RegExp }[] = [
    { input: undefined, want: 0 },
    { input: '3', want: 3 },
    { input: '0', want: 0 },
    { input: '-1', want: /--nodes: expected a whole number/ },
    { input: '2.5', want: /--nodes/ },
    { input: 'many', want: /got "many"/ },
    { input: '100001', want: /--nodes/ },
  ];
  for (const { input, want } of counts) {
    it(`--nodes ${String(input)}`, () => {
      if (typeof want === 'number') expect(parseNodeCount(input)).to.equal(want);
      else expect(() => parseNodeCount(input)).to.throw(want);
    });
  }

  const addresses: { index: number; want: string }[] = [
    { index: 0, want: '127.18.0.1' },
    { index: 254, want: '127.18.0.255' },
    { index: 255, want: '127.18.1.0' },
    { index: 65_535, want: '127.19.0.0' },
    { index: 99_999, want: '127.19.134.160' },
  ];
  for (const { index, want } of addresses) {
    it(`node ${index} gets ${want}`, () => expect(nodeAddress(index)).to.equal(want));
  }
  it('gives 100000 nodes distinct addresses', () => {
    expect(new Set(Array.from({ length: 100_000 }, (_, i) => nodeAddress(i))).size).to.equal(100_000);
  });
});
