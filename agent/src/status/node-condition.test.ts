import { expect } from 'chai';
import { conditionFromStatus, nextCondition, sameContent } from './node-condition.js';

describe('LastGaspReady condition', () => {
  const t0 = Date.parse('2025-01-01T00:00:00Z');
  const t1 = Date.parse('2025-01-01T00:05:00Z');
  const trueContent = { status: 'True' as const, reason: 'TargetsConfigured', message: 'netconsole → 10.0.0.5:6666 (extended)' };

  const cases = [
    { name: 'no condition yet → transition now', existing: undefined, content: trueContent, transition: t1 },
    {
      name: 'same status, new message → transition time kept',
      existing: { type: 'LastGaspReady', status: 'True', lastTransitionTime: '2025-01-01T00:00:00Z' },
      content: { ...trueContent, message: 'netconsole → 10.0.0.6:6666 (extended)' },
      transition: t0,
    },
    {
      name: 'True → False → transition now',
      existing: { type: 'LastGaspReady', status: 'True', lastTransitionTime: '2025-01-01T00:00:00Z' },
      content: { status: 'False' as const, reason: 'NoCollectorEndpoints', message: 'none' },
      transition: t1,
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const condition = nextCondition(c.existing, c.content, t1);
      expect(Date.parse(condition.lastTransitionTime ?? '')).to.equal(c.transition);
      expect(condition.lastHeartbeatTime).to.equal('2025-01-01T00:05:00Z');
      expect(condition).to.include({ type: 'LastGaspReady', status: c.content.status, reason: c.content.reason });
    });
  }

  it('status → content; sameContent compares status, reason and message', () => {
    const content = conditionFromStatus({ ready: false, reason: 'ConfigfsUnavailable', message: 'm', verified: [], features: null });
    expect(content).to.deep.equal({ status: 'False', reason: 'ConfigfsUnavailable', message: 'm' });
    expect(sameContent(content, { ...content })).to.equal(true);
    expect(sameContent(content, { ...content, message: 'other' })).to.equal(false);
    expect(sameContent(null, content)).to.equal(false);
  });
});
