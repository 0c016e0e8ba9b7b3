import { expect } from 'chai';
import { createKeyedQueue } from './keyed-queue.js';
import { createStormGuard, type ClusterView } from './storm-guard.js';

function view(ready: number, gone: Set<string> = new Set()): ClusterView {
  return { readyCount: () => ready - gone.size, isReady: (n) => !gone.has(n) };
}

describe('storm guard', () => {
  const cases: { name: string; limits: [number, number, number]; ready: number; nodes: string[]; admitted: number }[] = [
    { name: '4 panics, 2 per window', limits: [2, 600, 100], ready: 10, nodes: ['a', 'b', 'c', 'd'], admitted: 2 },
    { name: '4 panics, 20 % of 10 Ready', limits: [100, 600, 20], ready: 10, nodes: ['a', 'b', 'c', 'd'], admitted: 2 },
    { name: 'tiny cluster still gets one', limits: [100, 600, 10], ready: 3, nodes: ['a', 'b'], admitted: 1 },
    { name: 'the same node twice counts once', limits: [1, 600, 100], ready: 10, nodes: ['a', 'a'], admitted: 2 },
  ];
  for (const c of cases) {
    it(`${c.name} → ${c.admitted} admitted`, () => {
      const [maxNodesPerWindow, windowSeconds, maxPercentOfReadyNodes] = c.limits;
      const guard = createStormGuard({ maxNodesPerWindow, windowSeconds, maxPercentOfReadyNodes });
      const results = c.nodes.map((n) => guard.admit(n, 1000, view(c.ready)).admitted);
      expect(results.filter(Boolean)).to.have.length(c.admitted);
    });
  }

  it('deleted nodes still count in the percentage base', () => {
    const guard = createStormGuard({ maxNodesPerWindow: 100, windowSeconds: 600, maxPercentOfReadyNodes: 20 });
    const gone = new Set<string>();
    expect(guard.admit('a', 0, view(10, gone)).admitted).to.equal(true);
    gone.add('a');
    expect(guard.admit('b', 0, view(10, gone)).admitted).to.equal(true);
    gone.add('b');
    expect(guard.admit('c', 0, view(10, gone)).admitted).to.equal(false);
  });

  it('the window slides', () => {
    const guard = createStormGuard({ maxNodesPerWindow: 1, windowSeconds: 60, maxPercentOfReadyNodes: 100 });
    expect(guard.admit('a', 0, view(10)).admitted).to.equal(true);
    expect(guard.admit('b', 59_999, view(10)).admitted).to.equal(false);
    expect(guard.admit('b', 60_000, view(10)).admitted).to.equal(true);
  });
});

describe('keyed queue', () => {
  it('serialises per key, runs keys concurrently, survives a failing task', async () => {
    const q = createKeyedQueue();
    const log: string[] = [];
    const task = (name: string, ms: number, fail = false) => async () => {
      log.push(`start ${name}`);
      await new Promise((r) => setTimeout(r, ms));
      log.push(`end ${name}`);
      if (fail) throw new Error(name);
    };
    const a1 = q.push('a', task('a1', 30, true));
    const a2 = q.push('a', task('a2', 1));
    const b1 = q.push('b', task('b1', 5));
    await Promise.allSettled([a1, a2, b1]);
    expect(log.indexOf('end a1')).to.be.lessThan(log.indexOf('start a2'));
    expect(log.indexOf('start b1')).to.be.lessThan(log.indexOf('end a1'));
    await q.idle();
    expect(q.activeKeys()).to.deep.equal([]);
  });
});
