import { expect } from 'chai';
import { IncidentHistory, initialPhase } from './incident-history.js';
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
  });
});
