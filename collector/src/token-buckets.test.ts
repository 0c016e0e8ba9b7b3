import { expect } from 'chai';
import { createTokenBuckets } from './token-buckets.js';

describe('createTokenBuckets', () => {
  it('burst 3 → 3 taken at once, the 4th refused; one regained after 1/perMinute of a minute', () => {
    const b = createTokenBuckets({ burst: 3, perMinute: 60 }, 10);
    expect([1, 2, 3, 4].map(() => b.take('a', 0))).to.deep.equal([true, true, true, false]);
    expect(b.take('a', 999)).to.equal(false);
    expect(b.take('a', 1000)).to.equal(true);
    expect(b.take('a', 1000)).to.equal(false);
  });

  it('never saves more than the burst, however long the key was quiet', () => {
    const b = createTokenBuckets({ burst: 2, perMinute: 60 }, 10);
    b.take('a', 0);
    const after = [1, 2, 3].map(() => b.take('a', 3_600_000));
    expect(after).to.deep.equal([true, true, false]);
  });

  it('keys are independent: one exhausted sender does not limit another', () => {
    const b = createTokenBuckets({ burst: 1, perMinute: 1 }, 10);
    expect(b.take('flood', 0)).to.equal(true);
    expect(b.take('flood', 0)).to.equal(false);
    expect(b.take('other', 0)).to.equal(true);
  });

  it('a clock that goes back neither refills nor throws', () => {
    const b = createTokenBuckets({ burst: 1, perMinute: 60 }, 10);
    expect(b.take('a', 10_000)).to.equal(true);
    expect(b.take('a', 0)).to.equal(false);
    expect(b.take('a', 10_999)).to.equal(false);
    expect(b.take('a', 11_000)).to.equal(true);
  });

  it('bounded: past maxKeys the least recently used key is forgotten (it comes back full)', () => {
    const b = createTokenBuckets({ burst: 1, perMinute: 1 }, 2);
    b.take('a', 0);
    b.take('b', 0);
    b.take('a', 0); // a used last: b is the oldest
    b.take('c', 0);
    expect(b.size()).to.equal(2);
    expect(b.take('b', 0)).to.equal(true);
    expect(b.size()).to.equal(2);
  });
});
