import { expect } from 'chai';
import { openRecords } from './incident-watch.js';

const record = (name: string, phase: string | null) => ({
  apiVersion: 'lastgasp.dev/v1alpha1',
  kind: 'NodeIncident',
  metadata: { name, annotations: { 'lastgasp.dev/release': 'true' } },
  spec: { incidentId: `id-${name}`, node: 'w1', contextLines: ['a', 'b'] },
  status: phase === null ? {} : { phase, affectedPods: ['ns/p1'] },
});

describe('openRecords (the NodeIncident watch cache)', () => {
  it('open records whole; finished ones without context lines and pod list; every change reported', () => {
    const changes: unknown[] = [];
    const r = openRecords((obj) => changes.push(obj));
    r.sink.upsert(record('open', 'Remediating'));
    r.sink.upsert(record('done', 'Remediated'));
    expect(changes).to.have.length(2);
    const [open, done] = r.list() as ReturnType<typeof record>[];
    expect(open).to.deep.equal(record('open', 'Remediating'));
    expect(done?.spec).to.deep.equal({ incidentId: 'id-done', node: 'w1' });
    expect(done?.status).to.deep.equal({ phase: 'Remediated' });
    expect(done?.metadata).to.deep.equal({ name: 'done', annotations: { 'lastgasp.dev/release': 'true' } });
  });

  it('a delete drops one, also when only its name is known (after a relist)', () => {
    const r = openRecords(() => undefined);
    for (const n of ['a', 'b', 'c']) r.sink.upsert(record(n, 'Held'));
    r.sink.remove(record('a', 'Held'));
    r.sink.remove({ metadata: { name: 'b' } });
    expect((r.list() as ReturnType<typeof record>[]).map((x) => x.metadata.name)).to.deep.equal(['c']);
  });
});
