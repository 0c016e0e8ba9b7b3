import { expect } from 'chai';
import type { RemediationRequest } from '../record/incident-record.js';
import { eventName, nodeEvent, podEvent } from './incident-events.js';

const req: RemediationRequest = {
  incidentId: 'inc-1',
  node: 'w1',
  source: '10.0.0.1',
  kind: 'KernelPanic',
  fatal: true,
  summary: 'Kernel panic - not syncing: Fatal exception',
  cause: null,
  kernelRelease: null,
  lines: [],
  detectedAt: 0,
};

describe('incident Events', () => {
  describe('eventName', () => {
    it('w1, (record, Remediate) → w1.<12 hex digits>, the same every time', () => {
      const name = eventName('w1', 'w1-abc', 'Remediate');
      expect(name).to.match(/^w1\.[0-9a-f]{12}$/);
      expect(eventName('w1', 'w1-abc', 'Remediate')).to.equal(name);
    });
    it('a 300-character object name → cut to 239 characters, 252 in all', () => {
      const name = eventName('p'.repeat(300), 'r', 'ns');
      expect(name).to.have.length(252);
      expect(name.indexOf('.')).to.equal(239);
    });
    it('parts (ab, c) and (a, bc) → different names', () => {
      expect(eventName('p', 'ab', 'c')).to.not.equal(eventName('p', 'a', 'bc'));
    });
    it('actions Hold and Remediate on one Node → different names', () => {
      expect(eventName('w1', 'r', 'Hold')).to.not.equal(eventName('w1', 'r', 'Remediate'));
    });
  });

  describe('specs', () => {
    it('the Node, action Remediate → a Warning in default about the Node, the sentence ending the note', () => {
      const e = nodeEvent(req, 'w1-abc', 'Remediate', 'The Node was deleted.');
      expect(e).to.include({ namespace: 'default', reason: 'KernelPanic', action: 'Remediate', type: 'Warning', name: eventName('w1', 'w1-abc', 'Remediate') });
      expect(e.regarding).to.deep.equal({ apiVersion: 'v1', kind: 'Node', name: 'w1' });
      expect(e.note).to.match(/The Node was deleted\.$/);
    });
    it('a pod with its uid → Terminate, regarding carries the uid', () => {
      const e = podEvent(req, 'w1-abc', { namespace: 'a', name: 'p1', uid: 'u1' }, false);
      expect(e).to.include({ namespace: 'a', action: 'Terminate', name: eventName('p1', 'w1-abc', 'a') });
      expect(e.regarding).to.deep.equal({ apiVersion: 'v1', kind: 'Pod', name: 'p1', namespace: 'a', uid: 'u1' });
    });
    it('a pod known only by name, dry run → WouldTerminate, no uid, the same name as with the uid', () => {
      const e = podEvent(req, 'w1-abc', { namespace: 'a', name: 'p1', uid: '' }, true);
      expect(e.action).to.equal('WouldTerminate');
      expect(e.regarding).to.not.have.property('uid');
      expect(e.name).to.equal(podEvent(req, 'w1-abc', { namespace: 'a', name: 'p1', uid: 'u1' }, false).name);
    });
  });
});
