import { expect } from 'chai';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import {
  bytesAsText,
  copyText,
  incidentBytes,
  incidentFieldBytes,
  INCIDENT_OVERHEAD_BYTES,
  lineBytes,
  STRING_OVERHEAD_BYTES,
  textBytes,
} from './heap-size.js';
import type { Incident } from './types.js';

// A full collection on demand, to see what a kept value really keeps alive.
setFlagsFromString('--expose-gc');
const collect = runInNewContext('gc') as () => void;
const MiB = 1024 * 1024;

/** Heap in use after a full collection (bytes). */
function heapUsed(): number {
  collect();
  collect();
  return process.memoryUsage().heapUsed;
}

/** Heap that `keep(i)` for i < n still holds once the parents it was made from are garbage. */
function heapKept(n: number, keep: (i: number) => string): number {
  const before = heapUsed();
  const kept: string[] = [];
  for (let i = 0; i < n; i++) kept.push(keep(i));
  const after = heapUsed();
  expect(kept).to.have.length(n);
  return after - before;
}

describe('textBytes', () => {
  const rows: { name: string; text: string; bytes: number }[] = [
    { name: 'empty', text: '', bytes: 0 },
    { name: 'ASCII "abc" → one byte a character', text: 'abc', bytes: 3 },
    { name: 'Latin-1 "é" → still one byte', text: 'caf\u00e9', bytes: 4 },
    { name: '"€" (U+20AC) → two bytes a character', text: 'a\u20ac', bytes: 4 },
    { name: 'U+FFFD from invalid UTF-8 → two bytes a character', text: Buffer.from([0x61, 0xff, 0x62]).toString('utf8'), bytes: 6 },
    { name: 'a lone surrogate → two bytes a character', text: 'x\ud800', bytes: 4 },
  ];
  for (const row of rows) {
    it(row.name, () => {
      expect(textBytes(row.text)).to.equal(row.bytes + STRING_OVERHEAD_BYTES);
    });
  }
});

describe('copyText', () => {
  const rows = ['', 'plain', 'caf\u00e9', 'a\u20ac b', 'x\ud800y', '\u0000\u001b[31m\u009b', 'x'.repeat(5000)];
  for (const text of rows) {
    it(`${JSON.stringify(text.slice(0, 20))} → an equal string`, () => {
      expect(copyText(text)).to.equal(text);
    });
  }

  it('20-character slices of 32 one-MiB strings, copied → the parents are not kept (a plain slice keeps them)', () => {
    const parent = (i: number): string => `${i}`.padEnd(MiB, 'p');
    expect(heapKept(32, (i) => parent(i).slice(0, 20))).to.be.greaterThan(24 * MiB);
    expect(heapKept(32, (i) => copyText(parent(i).slice(0, 20)))).to.be.lessThan(2 * MiB);
  });

  it('Latin-1 halves of 16 two-byte strings, copied → one byte a character, as textBytes counts', () => {
    const parent = (i: number): string => `${i}`.padEnd(MiB, 'q') + '\u20ac'.repeat(MiB);
    const half = (i: number): string => parent(i).slice(0, MiB);
    expect(textBytes(copyText(half(0)))).to.equal(MiB + STRING_OVERHEAD_BYTES);
    expect(heapKept(16, (i) => copyText(half(i)))).to.be.lessThan(20 * MiB);
    // A plain slice keeps its whole two-byte parent (4 MiB), not 1 MiB.
    expect(heapKept(16, half)).to.be.greaterThan(48 * MiB);
  });
});

describe('bytesAsText', () => {
  it('a 10-byte view into a 2 MiB batch → the same bytes in a one-byte string of its own; the batch can be collected', async () => {
    let batch: Buffer | null = Buffer.alloc(2 * MiB, 0x41);
    batch[1005] = 0xff;
    const gone = new WeakRef(batch.buffer);
    const copy = bytesAsText(batch.subarray(1000, 1010));
    batch = null;
    // A WeakRef target lives at least until the current job ends.
    await new Promise((resolve) => setImmediate(resolve));
    collect();
    expect(gone.deref()).to.equal(undefined);
    expect(copy.length).to.equal(10);
    expect([...Buffer.from(copy, 'latin1')]).to.deep.equal([0x41, 0x41, 0x41, 0x41, 0x41, 0xff, 0x41, 0x41, 0x41, 0x41]);
    expect(textBytes(copy)).to.equal(10 + STRING_OVERHEAD_BYTES);
  });
});

describe('incidentBytes', () => {
  const incident = (lines: string[]): Incident => ({
    id: 'abc',
    source: '10.0.0.1',
    kind: 'KernelPanic',
    fatal: true,
    summary: 'Kernel panic',
    cause: null,
    kernelRelease: null,
    userdata: {},
    format: 'extended',
    firstSeq: null,
    lastSeq: null,
    lines,
    openedAt: 0,
    updatedAt: 0,
    closedAt: null,
  });

  it('fields and every line at their width → the sum, two-byte lines at two bytes a character', () => {
    const ascii = incident(['x'.repeat(1000), 'y']);
    expect(incidentBytes(ascii)).to.equal(INCIDENT_OVERHEAD_BYTES + incidentFieldBytes(ascii) + lineBytes('x'.repeat(1000)) + lineBytes('y'));
    expect(incidentBytes(incident(['\uFFFD'.repeat(1000), 'y'])) - incidentBytes(ascii)).to.equal(1000);
  });
});
