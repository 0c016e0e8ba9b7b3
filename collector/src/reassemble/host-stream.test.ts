import { expect } from 'chai';
import { textBytes } from '../heap-size.js';
import type { ExtendedFrame, LegacyFrame } from '../types.js';
import { createFragmentAssembler, DEFAULT_FRAGMENT_LIMITS } from './fragment-assembler.js';
import { HostStream, type StreamDecoders, type StreamEnv, type StreamSink } from './host-stream.js';

const T0 = 1_700_000_000_000;
const QUIET_MS = 2000;

/** Stand-ins for the parse stage's decoders: first body line as text; `[ s.micros] ` timestamps. */
const decode: StreamDecoders = {
  body: (body) => ({ text: body.toString('utf8').split('\n')[0] ?? '', userdata: {} }),
  line(raw) {
    const match = /^\[\s*(\d+)\.(\d{6})\] /.exec(raw);
    if (match === null) return { timestampUs: null, text: raw };
    return { timestampUs: Number(match[1]) * 1_000_000 + Number(match[2]), text: raw.slice(match[0].length) };
  },
};

function env(): StreamEnv {
  return {
    fragments: createFragmentAssembler(DEFAULT_FRAGMENT_LIMITS),
    sequence: { window: 8, clockSlackUs: 1000 },
    maxLineBytes: 64,
    quietMs: QUIET_MS,
    decode,
  };
}

function extended(seq: number, timestampUs: number, text: string): ExtendedFrame {
  return { ok: true, format: 'extended', release: null, facility: 0, level: 6, seq, timestampUs, continuation: false, fragment: null, body: Buffer.from(`${text}\n`) };
}

/** The record `text` cut into `size`-byte ncfrag pieces. */
function fragments(seq: number, timestampUs: number, text: string, size: number): ExtendedFrame[] {
  const body = Buffer.from(`${text}\n`);
  const pieces: ExtendedFrame[] = [];
  for (let offset = 0; offset < body.length; offset += size) {
    const slice = body.subarray(offset, offset + size);
    pieces.push({ ...extended(seq, timestampUs, ''), fragment: { offset, total: body.length }, body: slice });
  }
  return pieces;
}

function legacy(text: string): LegacyFrame {
  return { ok: true, format: 'legacy', text };
}

/** Everything the stream hands out, in order, as short strings. */
function recorder(): { out: StreamSink<string>; log: string[] } {
  const log: string[] = [];
  const out: StreamSink<string> = {
    record: (to, record, order, now) => log.push(`${to} record ${order} "${record.text}" @${now - T0}`),
    reboot: (to, now) => log.push(`${to} reboot @${now - T0}`),
    count: (what) => log.push(what),
    transport: (what) => log.push('lost' in what ? `lost ${what.lost}` : 'node missing'),
  };
  return { out, log };
}

describe('HostStream.push', () => {
  const rows: { name: string; frames: (ExtendedFrame | LegacyFrame)[]; log: string[] }[] = [
    {
      name: 'seq 1,2,3 in order → three records ordered by seq',
      frames: [extended(1, 10, 'a'), extended(2, 20, 'b'), extended(3, 30, 'c')],
      log: ['h record 1 "a" @0', 'h record 2 "b" @0', 'h record 3 "c" @0'],
    },
    {
      name: 'seq 1,3,2 → 2 is let through and counted late',
      frames: [extended(1, 10, 'a'), extended(3, 30, 'c'), extended(2, 20, 'b')],
      log: ['h record 1 "a" @0', 'h record 3 "c" @0', 'late', 'h record 2 "b" @0'],
    },
    {
      name: 'seq 1,1 → the second is a duplicate',
      frames: [extended(1, 10, 'a'), extended(1, 10, 'a')],
      log: ['h record 1 "a" @0', 'duplicate'],
    },
    {
      name: 'seq 100 then 1 (reboot) → reboot before the new boot’s record',
      frames: [extended(100, 5_000_000, 'old'), extended(1, 10, 'new')],
      log: ['h record 100 "old" @0', 'h reboot @0', 'h record 1 "new" @0'],
    },
    {
      name: 'a record in 4 fragments, last first → one whole record once complete',
      frames: fragments(7, 70, 'a long record text', 5).reverse(),
      log: ['h record 7 "a long record text" @0'],
    },
    {
      name: 'a fragment of a record larger than allowed → counted, no record',
      frames: [{ ...extended(7, 70, ''), fragment: { offset: 0, total: 1 << 20 }, body: Buffer.from('x') }],
      log: ['fragment-too-large'],
    },
    {
      name: 'legacy "one\\ntw" + "o\\n" → lines one and two, ordered by arrival',
      frames: [legacy('one\ntw'), legacy('o\n')],
      log: ['h record 0 "one" @0', 'h record 1 "two" @0'],
    },
    {
      name: 'legacy printk time going back → reboot before the line',
      frames: [legacy('[   50.000000] late boot\n'), legacy('[    1.000000] early boot\n')],
      log: ['h record 0 "late boot" @0', 'h reboot @0', 'h record 1 "early boot" @0'],
    },
    {
      name: 'legacy blank lines → nothing',
      frames: [legacy('\n\n')],
      log: [],
    },
  ];
  for (const row of rows) {
    it(row.name, () => {
      const stream = new HostStream('10.0.0.1', env());
      const { out, log } = recorder();
      for (const frame of row.frames) stream.push(frame, T0, out, 'h');
      expect(log).to.deep.equal(row.log);
    });
  }

  it('a line longer than maxLineBytes without a newline → emitted as it is', () => {
    const stream = new HostStream('10.0.0.1', env());
    const { out, log } = recorder();
    stream.push(legacy('x'.repeat(65)), T0, out, 'h');
    expect(log).to.deep.equal([`h record 0 "${'x'.repeat(65)}" @0`]);
    expect(stream.bytes()).to.equal(0);
  });
});

describe('HostStream deadlines', () => {
  it('extended records only → no deadline', () => {
    const stream = new HostStream('10.0.0.1', env());
    stream.push(extended(1, 10, 'a'), T0, recorder().out, 'h');
    expect(stream.nextDeadline()).to.equal(null);
    expect(stream.quietAt()).to.equal(T0 + QUIET_MS);
  });

  it('unfinished legacy line at T0, then T0+1000 → deadline quietMs after the last datagram', () => {
    const stream = new HostStream('10.0.0.1', env());
    const { out } = recorder();
    stream.push(legacy('Kernel panic - not'), T0, out, 'h');
    expect(stream.nextDeadline()).to.equal(T0 + QUIET_MS);
    stream.push(legacy(' syncing'), T0 + 1000, out, 'h');
    expect(stream.nextDeadline()).to.equal(T0 + 1000 + QUIET_MS);
    expect(stream.bytes()).to.equal(textBytes('Kernel panic - not syncing'));
  });

  it('poll before the deadline → nothing; at it → the line, timed when last heard', () => {
    const stream = new HostStream('10.0.0.1', env());
    const { out, log } = recorder();
    stream.push(legacy('no newline'), T0, out, 'h');
    expect(stream.poll(T0 + QUIET_MS - 1, out, 'h')).to.equal(false);
    expect(log).to.deep.equal([]);
    expect(stream.poll(T0 + QUIET_MS, out, 'h')).to.equal(true);
    expect(log).to.deep.equal(['h record 0 "no newline" @0']);
    expect(stream.nextDeadline()).to.equal(null);
  });

  it('flush(at) → the unfinished line timed at `at`, whatever the time', () => {
    const stream = new HostStream('10.0.0.1', env());
    const { out, log } = recorder();
    stream.push(legacy('tail'), T0, out, 'h');
    stream.flush(T0 + 5, out, 'h');
    expect(log).to.deep.equal(['h record 0 "tail" @5']);
  });
});

describe('HostStream.reset', () => {
  it('half a fragmented record and an unfinished line → both gone, fragments leave the shared pool', () => {
    const shared = env();
    const stream = new HostStream('10.0.0.1', shared);
    const other = new HostStream('10.0.0.2', shared);
    const { out, log } = recorder();
    stream.push(extended(1, 10, 'a'), T0, out, 'h');
    stream.push(fragments(9, 90, 'a long record text', 5)[0] ?? extended(0, 0, ''), T0, out, 'h');
    other.push(fragments(9, 90, 'another record', 5)[0] ?? extended(0, 0, ''), T0, out, 'o');
    stream.push(legacy('unfinished'), T0, out, 'h');
    expect(shared.fragments.stats().inFlight).to.equal(2);
    stream.reset();
    expect(shared.fragments.stats().inFlight).to.equal(1);
    expect([stream.bytes(), stream.nextDeadline(), stream.lastSeq]).to.deep.equal([0, null, null]);
    stream.push(extended(1, 10, 'a'), T0, out, 'h');
    expect(log.at(-1)).to.equal('h record 1 "a" @0'); // not a duplicate: ordering was forgotten too
  });
});

describe('HostStream transport checks (7.x sysdata msgid, userdata node=)', () => {
  /** The real body decoder's shape: text, then ` key=value` lines. */
  const kv: StreamDecoders = {
    ...decode,
    body(body) {
      const [text = '', ...rest] = body.toString('utf8').split('\n');
      const userdata: Record<string, string> = {};
      for (const line of rest) {
        const eq = line.indexOf('=');
        if (line.startsWith(' ') && eq > 1) userdata[line.slice(1, eq)] = line.slice(eq + 1);
      }
      return { text, userdata };
    },
  };
  const withData = (seq: number, data: string): ExtendedFrame => ({ ...extended(seq, seq * 1000, ''), body: Buffer.from(`line ${seq}\n${data}`) });

  it('msgid gaps are lost messages (a fragment set that never completes too); wire features are listed', () => {
    const stream = new HostStream('10.0.0.5', { ...env(), decode: kv });
    const { out, log } = recorder();
    for (const [seq, msgid] of [[1, 100], [2, 101], [3, 104], [4, 105]] as const) {
      stream.push({ ...withData(seq, ` node=w1\n cpu=0\n taskname=bash\n msgid=${msgid}\n`), release: '7.3.4+deb13-amd64' }, T0, out, 'h');
    }
    expect(stream.messagesLost).to.equal(2);
    expect(log.filter((l) => l.startsWith('lost'))).to.deep.equal(['lost 2']);
    expect(stream.features).to.deep.equal({ release: true, node: true, sysdata: ['cpu', 'taskname', 'msgid'] });
  });
  it('a reboot (sequence reset) starts the msgid count afresh: not loss', () => {
    const stream = new HostStream('10.0.0.5', { ...env(), decode: kv });
    const { out } = recorder();
    stream.push(withData(500, ' msgid=9000\n'), T0, out, 'h');
    stream.push(withData(501, ' msgid=9001\n'), T0, out, 'h');
    stream.push({ ...withData(1, ' msgid=0\n'), timestampUs: 10 }, T0 + 1000, out, 'h');
    stream.push({ ...withData(2, ' msgid=1\n'), timestampUs: 20 }, T0 + 1000, out, 'h');
    expect(stream.messagesLost).to.equal(0);
  });
  it('a host that sent node= once and then sends without it: counted as suspicious', () => {
    const stream = new HostStream('10.0.0.5', { ...env(), decode: kv });
    const { out, log } = recorder();
    stream.push(withData(1, ' node=w1\n'), T0, out, 'h');
    stream.push(withData(2, ''), T0, out, 'h');
    stream.push(withData(3, ' node=w1\n'), T0, out, 'h');
    expect(stream.recordsWithoutNode).to.equal(1);
    expect(log).to.include('node missing');
  });
  it('a host that never sent node= (older kernel) is not suspicious', () => {
    const stream = new HostStream('10.0.0.5', { ...env(), decode: kv });
    const { out } = recorder();
    stream.push(withData(1, ''), T0, out, 'h');
    stream.push(withData(2, ''), T0, out, 'h');
    expect(stream.recordsWithoutNode).to.equal(0);
  });
});
