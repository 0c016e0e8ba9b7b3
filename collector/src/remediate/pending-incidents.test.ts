import { expect } from 'chai';
import type { RemediationRequest } from '../record/incident-record.js';
import { createPendingIncidents } from './pending-incidents.js';

function panic(node: string, id: string, lines: string[] = []): RemediationRequest {
  return { incidentId: id, node, source: '10.0.0.1', kind: 'KernelPanic', fatal: true, summary: 'Kernel panic - not syncing: x', cause: null, kernelRelease: null, lines, detectedAt: 0 };
}

describe('createPendingIncidents', () => {
  const limits = { keepMs: 600_000, maxIncidents: 100, maxBytes: 1 << 20, maxPerNode: 3 };

  it('remembers for keepMs, then forgets', () => {
    const p = createPendingIncidents(limits);
    p.set('a', panic('n1', 'a'), 0);
    p.prune(600_000);
    expect(p.get('a')?.incidentId).to.equal('a');
    p.prune(600_001);
    expect(p.size()).to.equal(0);
    expect(p.bytes()).to.equal(0);
  });

  it('a flood of forged panics from one node keeps only its newest maxPerNode; other nodes untouched', () => {
    const p = createPendingIncidents(limits);
    p.set('other', panic('n2', 'other'), 0);
    for (let i = 0; i < 50; i++) p.set(`f${i}`, panic('n1', `f${i}`), i);
    expect([...p.entries()].map(([name]) => name)).to.deep.equal(['other', 'f47', 'f48', 'f49']);
    expect(p.evicted()).to.equal(47);
  });

  it('bounded in bytes: the oldest go first; replacing an entry (newer lines) keeps its place and its time', () => {
    const p = createPendingIncidents({ ...limits, maxPerNode: 100, maxBytes: 30_000 });
    const big = ['x'.repeat(9_000)];
    p.set('a', panic('n1', 'a', big), 0);
    p.set('b', panic('n2', 'b', big), 1);
    p.set('a', panic('n1', 'a', [...big, 'trace']), 2);
    p.set('c', panic('n3', 'c', big), 3);
    p.set('d', panic('n4', 'd', big), 4);
    expect([...p.entries()].map(([name]) => name)).to.deep.equal(['b', 'c', 'd']);
    expect(p.bytes()).to.be.at.most(30_000);
    p.set('b', panic('n2', 'b', big), 600_000);
    p.prune(600_002);
    expect([...p.entries()].map(([name]) => name)).to.deep.equal(['c', 'd']);
  });
});
