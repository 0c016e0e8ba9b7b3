import { expect } from 'chai';
import { createRefutationLimit } from './refutation-limit.js';

describe('createRefutationLimit', () => {
  it('maxRecords refutations of a node within the window → no more records until the oldest ages out', () => {
    const limit = createRefutationLimit({ maxRecords: 3, windowMs: 60_000, maxNodes: 10 });
    for (const t of [0, 1000, 2000]) {
      expect(limit.mayRecord('w1', t)).to.equal(true);
      limit.recorded('w1', t);
    }
    expect(limit.mayRecord('w1', 3000)).to.equal(false);
    expect(limit.mayRecord('w2', 3000), 'another node is not limited').to.equal(true);
    expect(limit.mayRecord('w1', 59_999)).to.equal(false);
    expect(limit.mayRecord('w1', 60_000), 'the first refutation left the window').to.equal(true);
  });

  it('bounded: beyond maxNodes the least recently refuted node is forgotten', () => {
    const limit = createRefutationLimit({ maxRecords: 1, windowMs: 60_000, maxNodes: 2 });
    limit.recorded('a', 0);
    limit.recorded('b', 1);
    limit.recorded('a', 2);
    limit.recorded('c', 3);
    expect(limit.size()).to.equal(2);
    expect(limit.mayRecord('b', 4), 'b was forgotten').to.equal(true);
    expect(limit.mayRecord('a', 4)).to.equal(false);
    expect(limit.mayRecord('c', 4)).to.equal(false);
  });
});
