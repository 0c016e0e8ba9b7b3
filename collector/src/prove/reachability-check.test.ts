import { expect } from 'chai';
import { createReachabilityCheck, type ReachabilityCheck } from './reachability-check.js';

const MIN = 60_000;
const T0 = 1_700_000_000_000;

/** Plans at `now` and records every planned check as answered (or as `fail` says), sent at `now`. */
function runChecks(check: ReachabilityCheck, ready: string[], now: number, fail: ReadonlySet<string> = new Set()): string[] {
  const planned = check.plan(ready, now);
  for (const node of planned) check.record(node, { answered: !fail.has(node), sentAt: now, ...(fail.has(node) ? { detail: 'no answer' } : {}) });
  return planned;
}

function names(n: number): string[] {
  return Array.from({ length: n }, (_, i) => `node-${String(i).padStart(3, '0')}`);
}

describe('reachability check: scheduling', () => {
  it('checks never-checked nodes first, at most maxBatch at once', () => {
    const check = createReachabilityCheck({ maxChecksPerSecond: 2, maxBatch: 3 });
    expect(check.plan(names(10), T0)).to.deep.equal(['node-000', 'node-001', 'node-002']);
  });

  it('keeps to the rate: 2 per second over 10 s of 1 s ticks is 3 + 2 × 10', () => {
    const check = createReachabilityCheck({ maxChecksPerSecond: 2, maxBatch: 3 });
    let total = 0;
    for (let s = 0; s <= 10; s++) total += runChecks(check, names(100), T0 + s * 1000).length;
    expect(total).to.equal(23);
  });

  it('checks every Ready node once per recheck interval, and no more', () => {
    const check = createReachabilityCheck({ recheckMs: 10 * MIN, maxChecksPerSecond: 1, maxBatch: 1 });
    const ready = names(30);
    const counts = new Map<string, number>();
    for (let s = 0; s < 25 * 60; s++) {
      for (const node of runChecks(check, ready, T0 + s * 1000)) counts.set(node, (counts.get(node) ?? 0) + 1);
    }
    // 25 minutes: the first round, and a recheck 10 and 20 minutes after each node's first check.
    expect([...counts.values()]).to.have.length(30);
    for (const [node, n] of counts) expect(n, node).to.equal(3);
    expect(check.summary(T0 + 25 * MIN).overdue).to.equal(0);
  });

  it('rechecks a failed node after failedRecheckMs, an answering one after recheckMs', () => {
    const check = createReachabilityCheck({ recheckMs: 10 * MIN, failedRecheckMs: MIN, maxChecksPerSecond: 10, maxBatch: 10 });
    runChecks(check, ['a', 'b'], T0, new Set(['b']));
    expect(check.plan(['a', 'b'], T0 + MIN - 1)).to.deep.equal([]);
    expect(check.plan(['a', 'b'], T0 + MIN)).to.deep.equal(['b']);
    check.record('b', { answered: true, sentAt: T0 + MIN });
    expect(check.plan(['a', 'b'], T0 + 10 * MIN)).to.deep.equal(['a']);
  });

  it('does not plan a node again while its check is in flight, until inFlightTimeoutMs', () => {
    const check = createReachabilityCheck({ maxChecksPerSecond: 10, maxBatch: 10, inFlightTimeoutMs: 30_000 });
    expect(check.plan(['a'], T0)).to.deep.equal(['a']);
    expect(check.plan(['a'], T0 + 29_999)).to.deep.equal([]);
    expect(check.plan(['a'], T0 + 30_000)).to.deep.equal(['a']);
  });

  it('the longest unchecked goes first once all were checked', () => {
    const check = createReachabilityCheck({ recheckMs: 10 * MIN, maxChecksPerSecond: 10, maxBatch: 1 });
    runChecks(check, ['a', 'b', 'c'], T0);
    runChecks(check, ['a', 'b', 'c'], T0 + 1000);
    runChecks(check, ['a', 'b', 'c'], T0 + 2000);
    check.record('a', { answered: true, sentAt: T0 + 3000 });
    expect(check.plan(['a', 'b', 'c'], T0 + 20 * MIN)).to.deep.equal(['b']);
  });

  it('reports overdue nodes when the rate cannot keep up', () => {
    const check = createReachabilityCheck({ recheckMs: 10 * MIN, maxChecksPerSecond: 0.5, maxBatch: 1 });
    const ready = names(600);
    for (let s = 0; s < 15 * 60; s++) runChecks(check, ready, T0 + s * 1000);
    const summary = check.summary(T0 + 15 * MIN);
    expect(summary.checked).to.equal(450);
    expect(summary.overdue).to.be.greaterThan(0);
  });
});

describe('reachability check: provability', () => {
  interface Case {
    name: string;
    checks: [offsetMs: number, answered: boolean][];
    incidentOffsetMs: number;
    provable: boolean;
    reason: RegExp;
  }
  const cases: Case[] = [
    { name: 'never checked', checks: [], incidentOffsetMs: 0, provable: false, reason: /never answered a reachability check/ },
    { name: 'checked, never answered', checks: [[0, false], [MIN, false]], incidentOffsetMs: 2 * MIN, provable: false, reason: /never answered/ },
    { name: 'answered 5 minutes before', checks: [[0, true]], incidentOffsetMs: 5 * MIN, provable: true, reason: /answered a reachability check 300s before the incident/ },
    { name: 'answered, then failed before the incident', checks: [[0, true], [MIN, false]], incidentOffsetMs: 2 * MIN, provable: false, reason: /60s before the incident, failed: no answer/ },
    { name: 'failed, then answered again', checks: [[0, false], [MIN, true]], incidentOffsetMs: 2 * MIN, provable: true, reason: /answered/ },
    { name: 'answered, failures only after the incident', checks: [[0, true], [2 * MIN, false], [3 * MIN, false]], incidentOffsetMs: MIN, provable: true, reason: /answered a reachability check 60s before/ },
    {
      name: 'answered, failed before the incident, more failures after it',
      checks: [[0, true], [MIN, false], [3 * MIN, false], [4 * MIN, false]],
      incidentOffsetMs: 2 * MIN,
      provable: false,
      reason: /failed/,
    },
    { name: 'the only answer is 30 minutes old', checks: [[0, true]], incidentOffsetMs: 30 * MIN, provable: false, reason: /1800s before the incident, too long ago/ },
    { name: 'a check at the very instant of the incident does not count', checks: [[0, true], [MIN, false]], incidentOffsetMs: MIN, provable: true, reason: /answered/ },
  ];
  for (const c of cases) {
    it(`${c.name} → ${c.provable ? 'provable' : 'not provable'}`, () => {
      const check = createReachabilityCheck();
      for (const [offset, answered] of c.checks) check.record('w1', { answered, sentAt: T0 + offset });
      const p = check.provability('w1', T0 + c.incidentOffsetMs);
      expect(p.provable).to.equal(c.provable);
      expect(p.reason).to.match(c.reason);
      expect(check.canProve('w1', T0 + c.incidentOffsetMs)).to.equal(c.provable);
    });
  }

  it('results recorded out of order are kept in send order', () => {
    const check = createReachabilityCheck();
    check.record('w1', { answered: false, sentAt: T0 + MIN, detail: 'no answer' });
    check.record('w1', { answered: true, sentAt: T0 });
    expect(check.canProve('w1', T0 + 2 * MIN)).to.equal(false);
  });

  it('forget drops a node', () => {
    const check = createReachabilityCheck();
    check.record('w1', { answered: true, sentAt: T0 });
    check.forget('w1');
    expect(check.canProve('w1', T0 + 1000)).to.equal(false);
  });
});

describe('reachability check: summary', () => {
  it('counts checked, answering and silent Ready nodes and names the silent ones', () => {
    const check = createReachabilityCheck({ maxChecksPerSecond: 10, maxBatch: 10 });
    runChecks(check, ['a', 'b', 'c', 'd', 'e'], T0, new Set(['d', 'b']));
    check.plan(['a', 'b', 'c', 'd', 'e', 'f'], T0 + 1);
    expect(check.summary(T0 + 1)).to.deep.equal({
      ready: 6,
      checked: 5,
      answering: 3,
      silent: 2,
      overdue: 0,
      silentNodes: ['b', 'd'],
      lastCheckAt: T0,
    });
  });

  it('forgets nodes that left the Ready list once their state is older than answerMaxAgeMs', () => {
    const check = createReachabilityCheck({ maxChecksPerSecond: 10, maxBatch: 10, answerMaxAgeMs: 20 * MIN });
    runChecks(check, ['a', 'b'], T0);
    check.plan(['a'], T0 + 19 * MIN);
    expect(check.canProve('b', T0 + 19 * MIN)).to.equal(true);
    check.plan(['a'], T0 + 21 * MIN);
    expect(check.provability('b', T0 + 21 * MIN).reason).to.match(/never answered/);
  });

  it('refuses a rate of 0', () => {
    expect(() => createReachabilityCheck({ maxChecksPerSecond: 0 })).to.throw(RangeError);
  });
});
