import { expect } from 'chai';
import { pino } from 'pino';
import type { EventSpec, SeriesCount } from '../remediate/cluster-api.js';
import type { RemediationRequest } from '../record/incident-record.js';
import { createEventSeries } from './event-series.js';
import { startSeriesWriter } from './series-writer.js';

const req: RemediationRequest = {
  incidentId: 'i',
  node: 'n1',
  source: '10.0.0.1',
  kind: 'OOMKilling',
  fatal: false,
  summary: 'Out of memory: Killed process 1 (x)',
  cause: null,
  kernelRelease: null,
  lines: [],
  detectedAt: 0,
};

const settle = () => new Promise((resolve) => setImmediate(resolve));

function setup(leading: boolean) {
  const series = createEventSeries({ periodMs: 3_600_000, refreshMs: 30_000, maxSeries: 10, maxBytes: 1 << 20 });
  const writes: { name: string; count: number; create: boolean }[] = [];
  let fail = false;
  const state = { leading, t: 1000 };
  const writer = startSeriesWriter({
    series,
    api: {
      writeEventSeries(e: EventSpec, s: SeriesCount, create: boolean) {
        if (fail) return Promise.reject(new Error('503'));
        writes.push({ name: e.name, count: s.count, create });
        return Promise.resolve();
      },
    },
    event: (w) => ({ name: `${w.node}.${w.reason}.${w.period}`, namespace: 'default', regarding: { apiVersion: 'v1', kind: 'Node', name: w.node }, reason: w.reason, action: 'Record', note: w.note, type: 'Warning' }),
    isLeader: () => state.leading,
    now: () => state.t,
    logger: pino({ level: 'silent' }),
  });
  return { series, writes, writer, state, setFail: (v: boolean) => (fail = v) };
}

describe('startSeriesWriter', () => {
  it('leader: a new series is created at once on kick; its repeats wait for the refresh', async () => {
    const s = setup(true);
    s.series.add(req, () => 'note', s.state.t);
    s.writer.kick();
    await settle();
    s.series.add(req, () => 'note', s.state.t);
    s.writer.kick();
    await settle();
    expect(s.writes).to.deep.equal([{ name: 'n1.OOMKilling.0', count: 1, create: true }]);
    s.state.t += 30_000;
    s.writer.kick();
    await settle();
    expect(s.writes.at(-1)).to.deep.equal({ name: 'n1.OOMKilling.0', count: 2, create: false });
    await s.writer.stop();
  });

  it('follower: writes nothing; on becoming leader writes the count it kept', async () => {
    const s = setup(false);
    for (let i = 0; i < 5; i++) s.series.add(req, () => 'note', s.state.t);
    s.writer.kick();
    await settle();
    expect(s.writes).to.deep.equal([]);
    s.state.leading = true;
    s.writer.kick();
    await settle();
    expect(s.writes).to.deep.equal([{ name: 'n1.OOMKilling.0', count: 5, create: true }]);
    await s.writer.stop();
  });

  it('a failed write is tried again after the refresh, still as a create', async () => {
    const s = setup(true);
    s.setFail(true);
    s.series.add(req, () => 'note', s.state.t);
    s.writer.kick();
    await settle();
    s.setFail(false);
    s.writer.kick();
    await settle();
    expect(s.writes).to.deep.equal([]);
    s.state.t += 30_000;
    s.writer.kick();
    await settle();
    expect(s.writes).to.deep.equal([{ name: 'n1.OOMKilling.0', count: 1, create: true }]);
    await s.writer.stop();
  });
});
