import { expect } from 'chai';
import fc from 'fast-check';
import { loadRules } from './classify/rules.js';
import { formatExtended } from './parse/format-extended.js';
import { createPipeline, DEFAULT_PIPELINE_LIMITS, type Pipeline } from './pipeline.js';
import type { IncidentEvent } from './types.js';

const rules = loadRules();
const T0 = 1_700_000_000_000;
const QUIET_MS = DEFAULT_PIPELINE_LIMITS.host.quietMs;
const FRAGMENT_AGE_MS = DEFAULT_PIPELINE_LIMITS.fragments.maxAgeMs;

function pipeline(events: IncidentEvent[] = []): Pipeline {
  return createPipeline({ rules, onEvent: (e) => events.push(e) });
}

function send(p: Pipeline, payload: Buffer | string, at = T0, source = '10.0.0.7'): void {
  p.ingest({ source, sourcePort: 6665, payload: Buffer.from(payload), receivedAt: at });
}

describe('pipeline: nextDeadline', () => {
  const panic = formatExtended({ seq: 1, timestampUs: 10, text: 'Kernel panic - not syncing: x' });
  const half = formatExtended({ seq: 2, timestampUs: 20, text: 'z'.repeat(3000) }).slice(0, 1);
  const rows: { name: string; datagrams: (Buffer | string)[]; deadline: number | null }[] = [
    { name: 'nothing received → null', datagrams: [], deadline: null },
    { name: 'an ordinary extended record → null', datagrams: formatExtended({ seq: 1, timestampUs: 10, text: 'hello' }), deadline: null },
    { name: 'a panic at T0 (incident open) → T0 + quietMs', datagrams: panic, deadline: T0 + QUIET_MS },
    { name: 'legacy text without a newline at T0 → T0 + quietMs', datagrams: ['Kernel panic - not'], deadline: T0 + QUIET_MS },
    { name: 'the first fragment of a record at T0 → T0 + maxAgeMs', datagrams: half, deadline: T0 + FRAGMENT_AGE_MS },
  ];
  for (const row of rows) {
    it(row.name, () => {
      const p = pipeline();
      for (const d of row.datagrams) send(p, d);
      expect(p.nextDeadline()).to.equal(row.deadline);
    });
  }

  it('a panic at T0 → tick just before the deadline leaves it open, tick at it closes it', () => {
    const events: IncidentEvent[] = [];
    const p = pipeline(events);
    for (const d of formatExtended({ seq: 1, timestampUs: 10, text: 'Kernel panic - not syncing: x' })) send(p, d);
    const due = p.nextDeadline() ?? 0;
    p.tick(due - 1);
    expect(events.map((e) => e.type)).to.deep.equal(['opened']);
    p.tick(due);
    expect(events.map((e) => e.type)).to.deep.equal(['opened', 'closed']);
    expect(p.nextDeadline()).to.equal(null);
  });

  it('ticked only when nextDeadline has passed → the same events as ticked before every datagram', () => {
    const TEXTS = ['ordinary', 'Kernel panic - not syncing: x', 'Oops: 0002 [#1] SMP', '---[ end trace 0000 ]---', 'INFO: task k:7 blocked for more than 120 seconds.'];
    const datagram = fc.record({
      host: fc.integer({ min: 0, max: 2 }),
      legacy: fc.boolean(),
      seqStep: fc.integer({ min: -3, max: 2 }),
      text: fc.integer({ min: 0, max: TEXTS.length - 1 }),
      cut: fc.integer({ min: 0, max: 40 }),
      long: fc.boolean(),
      dt: fc.integer({ min: 0, max: 3000 }),
    });
    fc.assert(
      fc.property(fc.array(datagram, { maxLength: 80 }), (list) => {
        const every: IncidentEvent[] = [];
        const hinted: IncidentEvent[] = [];
        const a = pipeline(every);
        const b = pipeline(hinted);
        const seqs = [50, 50, 50];
        let at = T0;
        for (const d of list) {
          at += d.dt;
          seqs[d.host] = Math.max(0, (seqs[d.host] ?? 0) + d.seqStep);
          const seq = seqs[d.host] ?? 0;
          const text = `${TEXTS[d.text] ?? ''}${d.long ? 'y'.repeat(2000) : ''}`;
          const payloads = d.legacy ? [`[ ${seq}.000001] ${text}\n`.slice(0, d.cut === 0 ? undefined : d.cut)] : formatExtended({ seq, timestampUs: seq * 1000, text }).slice(0, d.cut === 1 ? 1 : undefined);
          for (const payload of payloads) {
            a.tick(at);
            const due = b.nextDeadline();
            if (due !== null && due <= at) b.tick(at);
            send(a, payload, at, `10.0.0.${d.host}`);
            send(b, payload, at, `10.0.0.${d.host}`);
          }
        }
        a.tick(at + QUIET_MS * 10);
        b.tick(at + QUIET_MS * 10);
        expect(hinted).to.deep.equal(every);
        expect(b.stats()).to.deep.equal(a.stats());
      }),
      { numRuns: 300 },
    );
  });
});
