import { expect } from 'chai';
import type { RemediationRequest } from '../record/incident-record.js';
import { createEventSeries, type SeriesSettings } from './event-series.js';

const HOUR = 3_600_000;
const settings: SeriesSettings = { periodMs: HOUR, refreshMs: 30_000, maxSeries: 100, maxBytes: 1 << 20 };

function oom(node: string, kind: RemediationRequest['kind'] = 'OOMKilling'): RemediationRequest {
  return {
    incidentId: 'i',
    node,
    source: '10.0.0.1',
    kind,
    fatal: false,
    summary: 'Memory cgroup out of memory: Killed process 1 (x)',
    cause: null,
    kernelRelease: null,
    lines: [],
    detectedAt: 0,
  };
}

describe('createEventSeries', () => {
  it('500 OOM kills on one node in an hour → one series: created at once, then its count at most every refresh, the last count after the period', () => {
    const s = createEventSeries(settings);
    const t0 = 10 * HOUR;
    expect(s.add(oom('n1'), () => 'note', t0)).to.equal(true);
    const first = s.due(t0);
    expect(first).to.have.length(1);
    expect(first[0]).to.include({ node: 'n1', reason: 'OOMKilling', count: 1, create: true, period: 10 });
    s.written(first[0] as (typeof first)[0], true, t0);
    for (let i = 1; i < 500; i++) expect(s.add(oom('n1'), () => 'other note', t0 + i * 100)).to.equal(false);
    expect(s.due(t0 + 20_000)).to.deep.equal([]);
    const update = s.due(t0 + 30_000);
    expect(update).to.have.length(1);
    expect(update[0]).to.include({ count: 500, create: false, note: 'note', firstAt: t0, lastAt: t0 + 49_900 });
    s.written(update[0] as (typeof update)[0], true, t0 + 30_000);
    expect(s.due(t0 + 55_000)).to.deep.equal([]);
    s.add(oom('n1'), () => 'n', t0 + 55_000);
    expect(s.due(t0 + 59_999)).to.deep.equal([]);
    const last = s.due(t0 + 60_000);
    expect(last.map((w) => w.count)).to.deep.equal([501]);
    s.written(last[0] as (typeof last)[0], true, t0 + HOUR - 10_000);
    // A repeat in the period's last moment is written once the period ends, without waiting for the refresh.
    s.add(oom('n1'), () => 'n', t0 + HOUR - 1);
    expect(s.due(t0 + HOUR - 1)).to.deep.equal([]);
    const end = s.due(t0 + HOUR);
    expect(end.map((w) => w.count)).to.deep.equal([502]);
    s.written(end[0] as (typeof end)[0], true, t0 + HOUR);
    // Ended and fully written: forgotten.
    expect(s.due(t0 + HOUR + 1)).to.deep.equal([]);
    expect(s.stats().series).to.equal(0);
  });

  it('a new period starts a new series (a new Event); other nodes and reasons are series of their own', () => {
    const s = createEventSeries(settings);
    expect(s.add(oom('n1'), () => 'x', 0)).to.equal(true);
    expect(s.add(oom('n2'), () => 'x', 0)).to.equal(true);
    expect(s.add(oom('n1', 'TaskHung'), () => 'x', 0)).to.equal(true);
    expect(s.add(oom('n1'), () => 'x', HOUR)).to.equal(true);
    expect(s.due(HOUR).map((w) => `${w.node}/${w.reason}/${w.period}`).sort()).to.deep.equal(['n1/OOMKilling/0', 'n1/OOMKilling/1', 'n1/TaskHung/0', 'n2/OOMKilling/0']);
  });

  it('a write handed out is not handed out again until it ends; a failed one is due again after the refresh', () => {
    const s = createEventSeries(settings);
    s.add(oom('n1'), () => 'x', 0);
    const [w] = s.due(0);
    expect(s.due(0)).to.deep.equal([]);
    s.written(w as NonNullable<typeof w>, false, 0);
    expect(s.due(29_999)).to.deep.equal([]);
    expect(s.due(30_000).map((x) => x.create)).to.deep.equal([true]);
  });

  it('bounded in count and bytes: the series seen least recently goes first, counted as dropped when unwritten', () => {
    const s = createEventSeries({ ...settings, maxSeries: 2 });
    s.add(oom('a'), () => 'x', 0);
    s.add(oom('b'), () => 'x', 0);
    s.add(oom('a'), () => 'x', 1);
    s.add(oom('c'), () => 'x', 2);
    expect(s.due(2).map((w) => w.node).sort()).to.deep.equal(['a', 'c']);
    expect(s.stats()).to.include({ series: 2, dropped: 1 });
    const small = createEventSeries({ ...settings, maxBytes: 1000 });
    for (let i = 0; i < 50; i++) small.add(oom(`node-${i}`), () => 'n'.repeat(200), 0);
    expect(small.stats().bytes).to.be.at.most(1000);
    expect(small.stats().series).to.be.greaterThan(0);
  });

  it('expire forgets series two periods old whether written or not (a follower never writes), without counting them dropped', () => {
    const s = createEventSeries(settings);
    s.add(oom('a'), () => 'x', 0);
    s.expire(2 * HOUR - 1);
    expect(s.stats().series).to.equal(1);
    s.expire(2 * HOUR);
    expect(s.stats()).to.deep.equal({ series: 0, bytes: 0, dropped: 0 });
  });
});
