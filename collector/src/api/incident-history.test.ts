import { expect } from 'chai';
import { DEFAULT_HISTORY_LIMITS, IncidentHistory, initialPhase } from './incident-history.js';
import type { HistoryEvent } from './status-source.js';
import { makeIncident, T0 } from '../../test-support/api-fixtures.js';

const opened = (id: string, overrides = {}) => ({ type: 'opened' as const, incident: makeIncident({ id, ...overrides }) });

describe('incident-history', () => {
  describe('initialPhase', () => {
    const cases: [string, boolean, string | null, string][] = [
      ['non-fatal on a node', false, 'n1', 'observed'],
      ['fatal from no node', true, null, 'unresolved'],
      ['fatal on a node', true, 'n1', 'pending'],
    ];
    for (const [name, fatal, node, want] of cases) {
      it(`${name} → ${want}`, () => expect(initialPhase(makeIncident({ fatal }), node)).to.equal(want));
    }
  });

  it('opened, step, remediated → events opened, updated, remediated with sequences 1..3', () => {
    const h = new IncidentHistory();
    const seen: HistoryEvent[] = [];
    h.subscribe((e) => seen.push(e));
    h.recordIncidentEvent(opened('a'), T0, { node: 'n1' });
    h.recordStep('a', { name: 'delete-pods', outcome: 'ok', startedAt: T0, finishedAt: T0 + 5, message: '' }, T0 + 5);
    h.setPhase('a', 'remediated', T0 + 6);
    expect(seen.map((e) => [e.sequence, e.type])).to.deep.equal([
      [1, 'opened'],
      [2, 'updated'],
      [3, 'remediated'],
    ]);
    expect(h.getIncident('a')?.phase).to.equal('remediated');
  });

  it('a step of the same name twice → replaced, not added', () => {
    const h = new IncidentHistory();
    h.recordIncidentEvent(opened('a'), T0, { node: 'n1' });
    h.recordStep('a', { name: 'fail-pods', outcome: 'pending', startedAt: T0, finishedAt: null, message: '' }, T0);
    h.recordStep('a', { name: 'fail-pods', outcome: 'failed', startedAt: T0, finishedAt: T0 + 9, message: 'forbidden' }, T0 + 9);
    expect(h.getIncident('a')?.steps).to.deep.equal([
      { name: 'fail-pods', outcome: 'failed', startedAt: T0, finishedAt: T0 + 9, message: 'forbidden' },
    ]);
  });

  it('setPhase to the phase it has → updated, not a second remediated', () => {
    const h = new IncidentHistory();
    h.recordIncidentEvent(opened('a'), T0, { node: 'n1' });
    h.setPhase('a', 'held', T0);
    h.setPhase('a', 'held', T0);
    expect(h.replay({ kind: 'after-sequence', sequence: 0 })?.map((e) => e.type)).to.deep.equal(['opened', 'held', 'updated']);
  });

  it('maxIncidents 2, three opened → the oldest is gone, newest first', () => {
    const h = new IncidentHistory({ maxIncidents: 2 });
    for (const id of ['a', 'b', 'c']) h.recordIncidentEvent(opened(id), T0);
    expect(h.listIncidents().map((r) => r.incident.id)).to.deep.equal(['c', 'b']);
    expect(h.getIncident('a')).to.equal(undefined);
    expect(h.setPhase('a', 'held', T0)).to.equal(false);
  });

  it('maxEvents 3, five events → replay after 0 gives the last three', () => {
    const h = new IncidentHistory({ maxEvents: 3 });
    for (const id of ['a', 'b', 'c', 'd', 'e']) h.recordIncidentEvent(opened(id), T0);
    expect(h.replay({ kind: 'after-sequence', sequence: 0 })?.map((e) => e.sequence)).to.deep.equal([3, 4, 5]);
  });

  for (const n of [16, 17, 18, 19, 100]) {
    it(`maxEvents 16, ${n} events → replay after 0 gives exactly the last 16, in order`, () => {
      const h = new IncidentHistory({ maxEvents: 16 });
      for (let i = 1; i <= n; i++) h.recordIncidentEvent(opened(`i${i}`), T0);
      const expected = Array.from({ length: 16 }, (_, k) => n - 15 + k);
      expect(h.replay({ kind: 'after-sequence', sequence: 0 })?.map((e) => e.sequence)).to.deep.equal(expected);
      expect(h.replay({ kind: 'from-incident', id: `i${n - 2}` })?.map((e) => e.sequence)).to.deep.equal([n - 2, n - 1, n]);
    });
  }

  it('replay from-incident b → b and everything after; unknown id → undefined; now → nothing', () => {
    const h = new IncidentHistory();
    for (const id of ['a', 'b', 'c']) h.recordIncidentEvent(opened(id), T0);
    expect(h.replay({ kind: 'from-incident', id: 'b' })?.map((e) => e.record.incident.id)).to.deep.equal(['b', 'c']);
    expect(h.replay({ kind: 'from-incident', id: 'zz' })).to.equal(undefined);
    expect(h.replay({ kind: 'now' })).to.deep.equal([]);
  });

  it('event snapshots carry no context lines and do not change later', () => {
    const h = new IncidentHistory();
    h.recordIncidentEvent(opened('a'), T0, { node: 'n1' });
    const [first] = h.replay({ kind: 'after-sequence', sequence: 0 }) ?? [];
    h.setPhase('a', 'failed', T0 + 1);
    expect(first?.record.incident.lines).to.deep.equal([]);
    expect(first?.record.phase).to.equal('pending');
    expect(h.getIncident('a')?.incident.lines).to.have.length(2);
  });

  it('a step recorded again → earlier event snapshots keep the step as it was', () => {
    const h = new IncidentHistory();
    h.recordIncidentEvent(opened('a'), T0, { node: 'n1' });
    h.recordStep('a', { name: 'delete-pods', outcome: 'pending', startedAt: T0, finishedAt: null, message: '' }, T0);
    h.recordStep('a', { name: 'delete-pods', outcome: 'ok', startedAt: T0, finishedAt: T0 + 5, message: '3 pods' }, T0 + 5);
    const events = h.replay({ kind: 'after-sequence', sequence: 0 }) ?? [];
    expect(events.map((e) => e.record.steps.map((s) => `${s.outcome} ${s.message}`))).to.deep.equal([[], ['pending '], ['ok 3 pods']]);
  });

  it('unsubscribe → no more events', () => {
    const h = new IncidentHistory();
    let count = 0;
    const off = h.subscribe(() => count++);
    h.recordIncidentEvent(opened('a'), T0);
    off();
    h.recordIncidentEvent(opened('b'), T0);
    expect(count).to.equal(1);
    expect(h.subscriberCount).to.equal(0);
  });

  it('maxIncidents 0 → RangeError naming the field', () => {
    expect(() => new IncidentHistory({ maxIncidents: 0 })).to.throw(RangeError, /maxIncidents/);
    expect(() => new IncidentHistory({ maxEventBytes: -1 })).to.throw(RangeError, /maxEventBytes/);
  });
});

describe('incident-history: bounds', () => {
  const ids = (h: IncidentHistory): string[] => h.listIncidents().map((r) => r.incident.id).reverse();
  const from = (source: string, id: string, overrides = {}) => opened(id, { source, ...overrides });

  it('20 incidents from one source that is no Node, 16 per source → its newest 16 kept, another source untouched', () => {
    const h = new IncidentHistory({ maxIncidentsPerUnknownSource: 16 });
    h.recordIncidentEvent(from('192.0.2.9', 'other'), T0);
    for (let i = 0; i < 20; i++) h.recordIncidentEvent(from('192.0.2.1', `x${i}`), T0);
    expect(ids(h)).to.deep.equal(['other', ...Array.from({ length: 16 }, (_, i) => `x${i + 4}`)]);
  });

  it('20 incidents of one Node, 16 per unknown source → all kept (the quota is for sources that are no Node)', () => {
    const h = new IncidentHistory({ maxIncidentsPerUnknownSource: 16 });
    for (let i = 0; i < 20; i++) h.recordIncidentEvent(from('10.0.0.1', `n${i}`), T0, { node: 'worker-1' });
    expect(h.stats().incidents).to.equal(20);
  });

  it('maxIncidents 3: a Node incident, then three from unknown sources → the oldest unknown goes, the Node one stays', () => {
    const h = new IncidentHistory({ maxIncidents: 3 });
    h.recordIncidentEvent(from('10.0.0.1', 'node'), T0, { node: 'worker-1' });
    for (const id of ['u1', 'u2', 'u3']) h.recordIncidentEvent(from(`192.0.2.${id}`, id), T0);
    expect(ids(h)).to.deep.equal(['node', 'u2', 'u3']);
  });

  it('maxIncidents 2, only Node incidents → the oldest goes', () => {
    const h = new IncidentHistory({ maxIncidents: 2 });
    for (const id of ['a', 'b', 'c']) h.recordIncidentEvent(from('10.0.0.1', id), T0, { node: 'worker-1' });
    expect(ids(h)).to.deep.equal(['b', 'c']);
  });

  it('an unknown incident resolved to a Node later (setNode) → no longer evicted first', () => {
    const h = new IncidentHistory({ maxIncidents: 2 });
    h.recordIncidentEvent(from('10.0.0.1', 'late'), T0);
    h.setNode('late', 'worker-1', T0);
    h.recordIncidentEvent(from('192.0.2.1', 'u1'), T0);
    h.recordIncidentEvent(from('192.0.2.2', 'u2'), T0);
    expect(ids(h)).to.deep.equal(['late', 'u2']);
  });

  it('incidents of 64 KiB of lines, maxIncidentBytes 256 KiB → at most 256 KiB held, the newest kept', () => {
    const lines = Array.from({ length: 64 }, (_, i) => `[ ${i}.000000] ${'x'.repeat(1000)}`);
    const h = new IncidentHistory({ maxIncidentBytes: 256 * 1024 });
    for (let i = 0; i < 10; i++) h.recordIncidentEvent(from('10.0.0.1', `i${i}`, { lines }), T0, { node: 'worker-1' });
    const stats = h.stats();
    expect(stats.incidentBytes).to.be.at.most(256 * 1024);
    expect(stats.incidents).to.equal(3);
    expect(ids(h)).to.deep.equal(['i7', 'i8', 'i9']);
  });

  it('one incident larger than maxIncidentBytes → kept alone', () => {
    const h = new IncidentHistory({ maxIncidentBytes: 1024 });
    h.recordIncidentEvent(from('10.0.0.1', 'a'), T0);
    h.recordIncidentEvent(from('10.0.0.1', 'big', { lines: ['y'.repeat(5000)] }), T0);
    expect(ids(h)).to.deep.equal(['big']);
  });

  it('two-byte kernel lines → counted at two bytes a character', () => {
    const ascii = new IncidentHistory();
    const wide = new IncidentHistory();
    ascii.recordIncidentEvent(opened('a', { lines: ['x'.repeat(10_000)] }), T0);
    wide.recordIncidentEvent(opened('a', { lines: ['�'.repeat(10_000)] }), T0);
    expect(wide.stats().incidentBytes - ascii.stats().incidentBytes).to.equal(10_000);
  });

  it('an incident updated line by line, then closed → bytes as if counted once at the end', () => {
    const grown = new IncidentHistory();
    const lines: string[] = [];
    grown.recordIncidentEvent({ type: 'opened', incident: makeIncident({ id: 'a', lines: [] }) }, T0);
    for (let i = 0; i < 50; i++) {
      lines.push(`line ${i} ${'z'.repeat(i)}`);
      grown.recordIncidentEvent({ type: 'updated', incident: makeIncident({ id: 'a', lines: [...lines] }) }, T0);
    }
    const once = new IncidentHistory();
    once.recordIncidentEvent({ type: 'opened', incident: makeIncident({ id: 'a', lines }) }, T0);
    expect(grown.stats().incidentBytes).to.equal(once.stats().incidentBytes);
    grown.recordIncidentEvent({ type: 'closed', incident: makeIncident({ id: 'a', lines }) }, T0);
    expect(grown.stats().incidentBytes).to.equal(once.stats().incidentBytes);
  });

  it('events with 8 KiB summaries, maxEventBytes 64 KiB → at most 64 KiB of events kept, the newest last', () => {
    const h = new IncidentHistory({ maxEventBytes: 64 * 1024 });
    for (let i = 0; i < 100; i++) h.recordIncidentEvent(opened(`e${i}`, { summary: `Kernel panic - ${'s'.repeat(8192)} ${i}` }), T0);
    const stats = h.stats();
    expect(stats.eventBytes).to.be.at.most(64 * 1024);
    expect(stats.events).to.be.within(6, 8);
    const replayed = h.replay({ kind: 'after-sequence', sequence: 0 }) ?? [];
    expect(replayed.map((e) => e.sequence)).to.deep.equal(Array.from({ length: stats.events }, (_, k) => 101 - stats.events + k));
  });

  it('one source that is no Node floods 20,000 incidents with 4 KiB summaries → bounded by count and bytes', () => {
    const h = new IncidentHistory();
    const lines = ['l'.repeat(4096)];
    for (let i = 0; i < 20_000; i++) h.recordIncidentEvent(from('198.51.100.7', `f${i}`, { summary: `${'p'.repeat(4096)}${i}`, lines }), T0, { node: null, phase: 'unresolved' });
    const stats = h.stats();
    expect(stats.incidents).to.equal(DEFAULT_HISTORY_LIMITS.maxIncidentsPerUnknownSource);
    expect(stats.incidentBytes).to.be.at.most(DEFAULT_HISTORY_LIMITS.maxIncidentBytes);
    expect(stats.eventBytes).to.be.at.most(DEFAULT_HISTORY_LIMITS.maxEventBytes);
    expect(stats.events).to.be.at.most(DEFAULT_HISTORY_LIMITS.maxEvents);
  });
});
