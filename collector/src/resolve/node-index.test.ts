import { expect } from 'chai';
import { createNodeIndex } from './node-index.js';

describe('NodeIndex.hasAddress (the pipeline\'s isKnownSource)', () => {
  const node = (name: string, ...ips: string[]) => ({ metadata: { name }, status: { addresses: ips.map((address) => ({ type: 'InternalIP', address })) } });

  it('a Node with 10.0.0.1 and fd00::1, then removed → both known, then neither', () => {
    const index = createNodeIndex();
    index.upsert(node('w1', '10.0.0.1', 'fd00::1'));
    expect(['10.0.0.1', 'fd00::1', '10.0.0.2'].map((a) => index.hasAddress(a))).to.deep.equal([true, true, false]);
    index.remove('w1');
    expect(index.hasAddress('10.0.0.1')).to.equal(false);
  });

  it('a Node re-addressed from 10.0.0.1 to 10.0.0.9 → only the new address known', () => {
    const index = createNodeIndex();
    index.upsert(node('w1', '10.0.0.1'));
    index.upsert(node('w1', '10.0.0.9'));
    expect([index.hasAddress('10.0.0.1'), index.hasAddress('10.0.0.9')]).to.deep.equal([false, true]);
  });
});
