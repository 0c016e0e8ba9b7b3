import { expect } from 'chai';
import { STRING_OVERHEAD_BYTES, textBytes } from '../heap-size.js';
import type { ExtendedFrame } from '../types.js';
import {
  ASSEMBLY_OVERHEAD_BYTES,
  createFragmentAssembler,
  DEFAULT_FRAGMENT_LIMITS,
  PIECE_OVERHEAD_BYTES,
  type FragmentAssembler,
  type FragmentLimits,
  type FragmentResult,
} from './fragment-assembler.js';

const T0 = 1_700_000_000_000;

function piece(seq: number, offset: number, total: number, data: string, timestampUs = seq * 10): ExtendedFrame {
  const body = Buffer.from(data);
  return { ok: true, format: 'extended', release: null, facility: 0, level: 6, seq, timestampUs, continuation: false, fragment: { offset, total }, body };
}

function assembler(limits: Partial<FragmentLimits> = {}): FragmentAssembler {
  return createFragmentAssembler({ ...DEFAULT_FRAGMENT_LIMITS, ...limits });
}

function bodyOf(result: FragmentResult): string {
  if (result.status !== 'complete') throw new Error(`expected complete, got ${JSON.stringify(result)}`);
  return result.body.toString();
}

/** Bytes one assembly of `host` holding pieces of these sizes accounts for. */
function held(host: string, seq: number, sizes: number[]): number {
  const pieces = sizes.reduce((sum, n) => sum + n + STRING_OVERHEAD_BYTES + PIECE_OVERHEAD_BYTES, 0);
  return ASSEMBLY_OVERHEAD_BYTES + textBytes(`${host}\u0000${seq}`) + pieces;
}

describe('fragment assembler: own copies', () => {
  it('first fragment received into a batch, batch overwritten, second fragment → the record as sent', () => {
    const batch = Buffer.alloc(64 * 1024);
    /** As the parser hands a datagram of the batch receiver over: the body is a view into the batch. */
    const receive = (offset: number, data: string): ExtendedFrame => {
      const length = batch.write(data, 4096);
      return { ...piece(7, offset, 12, ''), timestampUs: 70, body: batch.subarray(4096, 4096 + length) };
    };
    const pool = assembler();
    expect(pool.add('10.0.0.1', receive(0, 'Hello '), T0).status).to.equal('pending');
    batch.fill(0x5a); // the receiver reuses (or the next wake-up overwrites) the batch's memory
    expect(bodyOf(pool.add('10.0.0.1', receive(6, 'world\n'), T0))).to.equal('Hello world\n');
  });

  it('pieces arriving in reverse order, each buffer overwritten after add → joined in offset order', () => {
    const pool = assembler();
    const frames = [piece(1, 8, 12, 'rld\n'), piece(1, 4, 12, 'o wo'), piece(1, 0, 12, 'Hell')];
    const results = frames.map((frame) => {
      const result = pool.add('h', frame, T0);
      frame.body.fill(0x21);
      return result;
    });
    expect(bodyOf(results[2] ?? { status: 'pending' })).to.equal('Hello world\n');
  });
});

describe('fragment assembler: eviction', () => {
  it('maxInFlightPerHost 2, 1000 other hosts in flight, a third record from host a → a\'s oldest evicted, nothing else', () => {
    const pool = assembler({ maxInFlightPerHost: 2 });
    pool.add('a', piece(1, 0, 10, 'x'), T0);
    for (let i = 0; i < 1000; i++) pool.add(`other-${i}`, piece(1, 0, 10, 'x'), T0);
    pool.add('a', piece(2, 0, 10, 'x'), T0);
    pool.add('a', piece(3, 0, 10, 'x'), T0);
    expect(pool.stats()).to.include({ inFlight: 1002, evicted: 1 });
    // a's record 1 is gone (its remaining piece starts over), 2 and 3 complete.
    expect(pool.add('a', piece(1, 1, 10, 'yyyyyyyyy'), T0).status).to.equal('pending');
    expect(pool.stats().evicted).to.equal(2); // starting record 1 again evicted a's oldest, record 2
    expect(bodyOf(pool.add('a', piece(3, 1, 10, 'yyyyyyyyy'), T0))).to.equal('xyyyyyyyyy');
    expect(bodyOf(pool.add('other-0', piece(1, 1, 10, 'zzzzzzzzz'), T0))).to.equal('xzzzzzzzzz');
  });

  it('maxInFlight 3, four hosts → the oldest assembly overall evicted', () => {
    const pool = assembler({ maxInFlight: 3 });
    for (const host of ['a', 'b', 'c', 'd']) pool.add(host, piece(1, 0, 10, 'x'), T0);
    expect(pool.stats()).to.include({ inFlight: 3, evicted: 1 });
    expect(bodyOf(pool.add('b', piece(1, 1, 10, 'yyyyyyyyy'), T0))).to.equal('xyyyyyyyyy');
    expect(pool.add('a', piece(1, 1, 10, 'yyyyyyyyy'), T0).status).to.equal('pending'); // a's first piece is gone
  });

  it('byte bound for two assemblies, a third arrives → the oldest evicted, never the one just added', () => {
    const pool = assembler({ maxBytesInFlight: 2 * held('a', 1, [100]) + 10 });
    for (const host of ['a', 'b', 'c']) pool.add(host, piece(1, 0, 1000, 'x'.repeat(100)), T0);
    expect(pool.stats()).to.include({ inFlight: 2, evicted: 1, bytesInFlight: 2 * held('a', 1, [100]) });
    const big = assembler({ maxBytesInFlight: 10 });
    expect(big.add('a', piece(1, 0, 1000, 'x'.repeat(500)), T0).status).to.equal('pending');
    expect(big.stats().inFlight).to.equal(1);
  });

  it('dropHost b among a, b, c → only b\'s assemblies leave, bytes with them', () => {
    const pool = assembler();
    pool.add('a', piece(1, 0, 10, 'x'), T0);
    pool.add('b', piece(1, 0, 10, 'x'), T0);
    pool.add('b', piece(2, 0, 10, 'x'), T0);
    pool.add('c', piece(1, 0, 10, 'x'), T0);
    pool.dropHost('b');
    expect(pool.stats()).to.include({ inFlight: 2, bytesInFlight: held('a', 1, [1]) + held('c', 1, [1]) });
    pool.dropHost('nobody');
    expect(pool.stats().inFlight).to.equal(2);
  });

  it('assemblies started at T0 and T0+1000, maxAgeMs 5000 → expire drops them in age order', () => {
    const pool = assembler({ maxAgeMs: 5000 });
    pool.add('a', piece(1, 0, 10, 'x'), T0);
    pool.add('b', piece(1, 0, 10, 'x'), T0 + 1000);
    expect(pool.nextExpiry()).to.equal(T0 + 5000);
    expect(pool.expire(T0 + 4999)).to.equal(0);
    expect(pool.expire(T0 + 5000)).to.equal(1);
    expect(pool.nextExpiry()).to.equal(T0 + 6000);
    expect(pool.expire(T0 + 6000)).to.equal(1);
    expect(pool.nextExpiry()).to.equal(null);
  });
});

describe('fragment assembler: accounting', () => {
  it('two pieces of one record → bytes of the assembly, its key and both copies; 0 once complete', () => {
    const pool = assembler();
    pool.add('10.0.0.1', piece(5, 0, 30, 'x'.repeat(10)), T0);
    expect(pool.stats().bytesInFlight).to.equal(held('10.0.0.1', 5, [10]));
    pool.add('10.0.0.1', piece(5, 10, 30, 'y'.repeat(5)), T0);
    expect(pool.stats().bytesInFlight).to.equal(held('10.0.0.1', 5, [10, 5]));
    expect(pool.add('10.0.0.1', piece(5, 0, 30, 'x'.repeat(10)), T0)).to.deep.equal({ status: 'dropped', reason: 'fragment-duplicate' });
    bodyOf(pool.add('10.0.0.1', piece(5, 15, 30, 'z'.repeat(15)), T0));
    expect(pool.stats()).to.include({ inFlight: 0, bytesInFlight: 0 });
  });

  it('same seq with another timestamp (a new boot) → the old assembly replaced, its bytes released', () => {
    const pool = assembler();
    pool.add('a', piece(5, 0, 30, 'x'.repeat(10), 100), T0);
    pool.add('a', piece(5, 0, 30, 'y'.repeat(20), 200), T0);
    expect(pool.stats()).to.include({ inFlight: 1, bytesInFlight: held('a', 5, [20]) });
  });
});
