import { expect } from 'chai';
import { expiredRecords, type RetentionSettings } from './retention.js';

const DAY = 86_400_000;
const NOW = 100 * DAY;
const settings: RetentionSettings = { maxAgeMs: 30 * DAY, maxRecords: 1000, minAgeMs: 600_000 };

function record(name: string, ageMs: number, phase: string | null): unknown {
  return { metadata: { name }, spec: { detectedAt: new Date(NOW - ageMs).toISOString() }, ...(phase === null ? {} : { status: { phase } }) };
}

describe('expiredRecords', () => {
  it('finished records older than maxAge go; younger ones stay', () => {
    const records = [record('old', 31 * DAY, 'Remediated'), record('new', 29 * DAY, 'Remediated'), record('old-refuted', 40 * DAY, 'Refuted')];
    expect(expiredRecords(records, NOW, settings, 100)).to.deep.equal(['old-refuted', 'old']);
  });

  it('never a Held, open or phaseless record, nor one whose age cannot be read, however old', () => {
    const records = [
      record('held', 90 * DAY, 'Held'),
      record('detected', 90 * DAY, 'Detected'),
      record('remediating', 90 * DAY, 'Remediating'),
      record('none', 90 * DAY, null),
      { metadata: { name: 'no-time' }, spec: {}, status: { phase: 'Recorded' } },
    ];
    expect(expiredRecords(records, NOW, { ...settings, maxRecords: 1 }, 100)).to.deep.equal([]);
  });

  it('over maxRecords → the oldest finished ones go until the count fits; never one younger than minAge', () => {
    const records = [
      record('a', 5 * DAY, 'Recorded'),
      record('b', 4 * DAY, 'Failed'),
      record('held', 6 * DAY, 'Held'),
      record('c', 3 * DAY, 'Remediated'),
      record('young', 60_000, 'Remediated'),
    ];
    expect(expiredRecords(records, NOW, { ...settings, maxRecords: 2 }, 100)).to.deep.equal(['a', 'b', 'c']);
    expect(expiredRecords(records, NOW, { ...settings, maxRecords: 4 }, 100)).to.deep.equal(['a']);
  });

  it('at most `limit` a pass, oldest first', () => {
    const records = Array.from({ length: 10 }, (_, i) => record(`r${i}`, (40 + i) * DAY, 'Remediated'));
    expect(expiredRecords(records, NOW, settings, 3)).to.deep.equal(['r9', 'r8', 'r7']);
  });
});
