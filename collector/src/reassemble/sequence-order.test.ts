import { expect } from 'chai';
import fc from 'fast-check';
import { acceptSequence, createSequenceState, judgeSequence, type SequenceLimits, type SequenceVerdict } from './sequence-order.js';

/** The plain model: every record's seq and timestamp kept in a Map, the window swept in full each time. */
function model(limits: SequenceLimits): (seq: number, ts: number) => SequenceVerdict {
  let maxSeq: number | null = null;
  let timestampAtMax = 0;
  const seen = new Map<number, number>();
  return (seq, ts) => {
    let verdict: SequenceVerdict;
    const known = maxSeq === null ? undefined : seen.get(seq);
    if (maxSeq === null) verdict = 'next';
    else if (known !== undefined) verdict = known === ts ? 'duplicate' : 'reset';
    else if (seq > maxSeq) verdict = ts + limits.clockSlackUs < timestampAtMax ? 'reset' : 'next';
    else if (seq < maxSeq - limits.window) verdict = 'reset';
    else verdict = ts > timestampAtMax + limits.clockSlackUs ? 'reset' : 'late';
    if (verdict === 'duplicate') return verdict;
    if (verdict === 'reset') {
      maxSeq = null;
      seen.clear();
    }
    if (maxSeq === null || seq > maxSeq) {
      maxSeq = seq;
      timestampAtMax = ts;
    }
    seen.set(seq, ts);
    if (seen.size > limits.window + 1) for (const k of seen.keys()) if (k < maxSeq - limits.window) seen.delete(k);
    return verdict;
  };
}

describe('judgeSequence + acceptSequence', () => {
  const limits: SequenceLimits = { window: 8, clockSlackUs: 1000 };

  const rows: { name: string; input: [number, number][]; verdicts: SequenceVerdict[] }[] = [
    { name: 'in order 1,2,3', input: [[1, 10], [2, 20], [3, 30]], verdicts: ['next', 'next', 'next'] },
    { name: '1,3,2 → 2 is late', input: [[1, 10], [3, 30], [2, 20]], verdicts: ['next', 'next', 'late'] },
    { name: '1,2,2 → duplicate', input: [[1, 10], [2, 20], [2, 20]], verdicts: ['next', 'next', 'duplicate'] },
    { name: '100 then 1 → reset (far below the window)', input: [[100, 5000], [1, 10]], verdicts: ['next', 'reset'] },
    { name: '1..20 in order, then 5 again → reset (outside the window)', input: [...Array.from({ length: 20 }, (_, i): [number, number] => [i + 1, (i + 1) * 10]), [5, 50]], verdicts: [...Array.from({ length: 20 }, (): SequenceVerdict => 'next'), 'reset'] },
  ];
  for (const row of rows) {
    it(row.name, () => {
      const state = createSequenceState();
      const got = row.input.map(([seq, ts]) => {
        const verdict = judgeSequence(state, seq, ts, limits);
        acceptSequence(state, seq, ts, verdict, limits);
        return verdict;
      });
      expect(got).to.deep.equal(row.verdicts);
    });
  }

  it('any order of arrivals → the same verdicts as the plain model, and the window stays bounded', () => {
    // A kernel's stream with local reordering (jitter around the i-th number), duplicates and, rarely,
    // a jump back (a reboot).
    const arrival = fc.tuple(fc.integer({ min: -6, max: 6 }), fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 99 }));
    fc.assert(
      fc.property(fc.array(arrival, { maxLength: 400 }), (arrivals) => {
        const state = createSequenceState();
        const reference = model(limits);
        let base = 10;
        for (const [jitter, tsStep, dice] of arrivals) {
          base = dice === 0 ? 10 : base + 1;
          const seq = Math.max(0, base + jitter);
          const ts = seq * 100 + tsStep;
          const verdict = judgeSequence(state, seq, ts, limits);
          acceptSequence(state, seq, ts, verdict, limits);
          expect(verdict).to.equal(reference(seq, ts));
          expect(state.seen.size).to.be.at.most(limits.window + 1);
        }
      }),
      { numRuns: 2000 },
    );
  });
});
