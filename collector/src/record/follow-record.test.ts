import { expect } from 'chai';
import { buildRecord, recordName, type NodeIncidentStatus, type RemediationRequest } from './incident-record.js';
import { followRecord } from './follow-record.js';

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
  detectedAt: Date.UTC(2025, 0, 1),
};
const name = recordName('inc-1', 'w1');
const withStatus = (status: NodeIncidentStatus | undefined): unknown => ({ ...buildRecord(req, 'collector-a'), status });

describe('followRecord', () => {
  const cases: [string, NodeIncidentStatus, { phase: string; outcome: string; message: string; finished: boolean }][] = [
    [
      'Remediated by collector-b',
      { phase: 'Remediated', reason: 'Remediated', message: '2 pod(s) failed and deleted; node action: delete', remediatedBy: 'collector-b', startedAt: '2025-01-01T00:00:00.100Z', completedAt: '2025-01-01T00:00:00.900Z' },
      { phase: 'Remediated', outcome: 'ok', message: `NodeIncident ${name} Remediated by collector-b: 2 pod(s) failed and deleted; node action: delete`, finished: true },
    ],
    [
      'Remediating (no completion yet)',
      { phase: 'Remediating', reason: 'NodeDied', message: 'failing and deleting 2 pod(s)', remediatedBy: 'collector-b', startedAt: '2025-01-01T00:00:00.100Z' },
      { phase: 'Remediating', outcome: 'pending', message: `NodeIncident ${name} Remediating by collector-b: NodeDied: failing and deleting 2 pod(s)`, finished: false },
    ],
    [
      'Held, no remediatedBy → the detecting replica',
      { phase: 'Held', reason: 'StormLimit', message: '5 node(s) already remediated', lastTransitionTime: '2025-01-01T00:00:01.000Z' },
      { phase: 'Held', outcome: 'ok', message: `NodeIncident ${name} Held by collector-a: StormLimit: 5 node(s) already remediated`, finished: true },
    ],
    [
      'Failed',
      { phase: 'Failed', reason: 'APIError', message: 'HTTP 403: forbidden', lastTransitionTime: '2025-01-01T00:00:01.000Z' },
      { phase: 'Failed', outcome: 'failed', message: `NodeIncident ${name} Failed by collector-a: APIError: HTTP 403: forbidden`, finished: true },
    ],
  ];
  for (const [title, status, want] of cases) {
    it(`${title} → phase ${want.phase}, leader step ${want.outcome}`, () => {
      const f = followRecord(withStatus(status));
      expect(f?.incidentId).to.equal('inc-1');
      expect(f?.phase).to.equal(want.phase);
      expect(f?.step).to.include({ name: 'leader', outcome: want.outcome, message: want.message });
      expect(f?.step.startedAt).to.be.a('number');
      expect(f?.step.finishedAt !== null).to.equal(want.finished);
    });
  }

  it('no status yet, or not a NodeIncident → null', () => {
    expect(followRecord(withStatus(undefined))).to.equal(null);
    expect(followRecord({ spec: {} })).to.equal(null);
    expect(followRecord('x')).to.equal(null);
  });
});
