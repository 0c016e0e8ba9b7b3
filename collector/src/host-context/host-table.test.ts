import { expect } from 'chai';
import { createClassifier } from '../classify/classifier.js';
import { loadRules } from '../classify/rules.js';
import { parseExtendedBody } from '../parse/parse-extended.js';
import { parseLegacyLine } from '../parse/parse-legacy.js';
import { createFragmentAssembler, DEFAULT_FRAGMENT_LIMITS } from '../reassemble/fragment-assembler.js';
import type { StreamEnv, StreamSink } from '../reassemble/host-stream.js';
import type { ExtendedFrame, IncidentEvent, ParsedFrame } from '../types.js';
import { closeOpen, DEFAULT_HOST_CONTEXT_LIMITS, ingestRecord, type HostContextEnv } from './host-context.js';
import { HOST_OVERHEAD_BYTES, type HostState } from './host-state.js';
import { createHostTable, hostDeadline, type HostEntry, type HostTable } from './host-table.js';

const T0 = 1_700_000_000_000;
const QUIET_MS = DEFAULT_HOST_CONTEXT_LIMITS.quietMs;
const PANIC = 'Kernel panic - not syncing: Fatal exception';

interface Bed {
  table: HostTable;
  streams: StreamEnv;
  events: IncidentEvent[];
  evicted: string[];
  /** Feeds one frame to the host at `source` as the pipeline does: stream → context → settle. */
  send(source: string, frame: ParsedFrame, at?: number): HostEntry;
}

function bed(options: { maxHosts?: number; maxBytes?: number } = {}): Bed {
  const events: IncidentEvent[] = [];
  const evicted: string[] = [];
  const env: HostContextEnv = {
    classifier: createClassifier(loadRules()),
    limits: DEFAULT_HOST_CONTEXT_LIMITS,
    trustLegacy: true,
    emit: (event) => events.push(event),
    onUntrustedMatch: () => undefined,
  };
  const streams: StreamEnv = {
    fragments: createFragmentAssembler(DEFAULT_FRAGMENT_LIMITS),
    sequence: { window: 128, clockSlackUs: 1_000_000 },
    maxLineBytes: 16 * 1024,
    quietMs: QUIET_MS,
    decode: { body: parseExtendedBody, line: parseLegacyLine },
  };
  const table = createHostTable({
    maxHosts: options.maxHosts ?? 100,
    maxBytes: options.maxBytes ?? 1 << 20,
    streams,
    onEvict(entry) {
      evicted.push(entry.context.address);
      closeOpen(entry.context, T0, env);
    },
  });
  const sink: StreamSink<HostState> = {
    record: (host, record, order, now) => ingestRecord(host, record, order, now, env),
    reboot: () => undefined,
    count: () => undefined,
  };
  return {
    table,
    streams,
    events,
    evicted,
    send(source, frame, at = T0) {
      const entry = table.get(source);
      entry.stream.push(frame, at, sink, entry.context);
      table.settle(entry);
      return entry;
    },
  };
}

let nextSeq = 1;
function extended(text: string, fragment: ExtendedFrame['fragment'] = null): ExtendedFrame {
  const seq = nextSeq++;
  return { ok: true, format: 'extended', release: null, facility: 0, level: 0, seq, timestampUs: seq * 10, continuation: false, fragment, body: Buffer.from(`${text}\n`) };
}

const legacy = (text: string): ParsedFrame => ({ ok: true, format: 'legacy', text });

describe('host table: eviction', () => {
  it('maxHosts 2, hosts a, b, c → a evicted (least recently heard from)', () => {
    const b = bed({ maxHosts: 2 });
    for (const host of ['a', 'b', 'c']) b.send(host, extended('hello'));
    expect(b.evicted).to.deep.equal(['a']);
    expect(b.table.snapshots().map((s) => s.address)).to.deep.equal(['c', 'b']);
    expect(b.table.stats()).to.include({ hosts: 2, hostsEvicted: 1 });
  });

  it('maxHosts 2, hosts a, b, a again, c → b evicted', () => {
    const b = bed({ maxHosts: 2 });
    for (const host of ['a', 'b', 'a', 'c']) b.send(host, extended('hello'));
    expect(b.evicted).to.deep.equal(['b']);
  });

  it('open panic on a, then b and c with maxHosts 2 → a evicted and its incident closed', () => {
    const b = bed({ maxHosts: 2 });
    b.send('a', extended(PANIC));
    b.send('b', extended('hello'));
    b.send('c', extended('hello'));
    expect(b.events.map((e) => `${e.type} ${e.incident.source}`)).to.deep.equal(['opened a', 'closed a']);
  });

  it('half a fragmented record on a, then a evicted → its fragments leave the shared pool', () => {
    const b = bed({ maxHosts: 1 });
    b.send('a', extended('abcdef', { offset: 0, total: 100 }));
    expect(b.streams.fragments.stats().inFlight).to.equal(1);
    b.send('b', extended('hello'));
    expect(b.streams.fragments.stats().inFlight).to.equal(0);
  });
});

describe('host table: byte bounds', () => {
  /** A legacy line that stays unfinished: `bytes` bytes held by the host's stream. */
  const unfinished = (bytes: number): ParsedFrame => legacy('x'.repeat(bytes));

  it('two hosts each holding 1000 bytes → hostBytes is their sum', () => {
    const b = bed();
    b.send('a', unfinished(1000));
    b.send('b', unfinished(1000));
    expect(b.table.stats().hostBytes).to.equal(2 * (HOST_OVERHEAD_BYTES + 1000));
  });

  it('room for two hosts, three send → the least recently heard-from one evicted, total within bound', () => {
    const per = HOST_OVERHEAD_BYTES + 1000;
    const b = bed({ maxBytes: 2 * per + 10 });
    for (const host of ['a', 'b', 'c']) b.send(host, unfinished(1000));
    expect(b.evicted).to.deep.equal(['a']);
    expect(b.table.stats()).to.include({ hosts: 2, hostBytes: 2 * per });
  });

  it('one host over the whole bound → kept (the host just heard from is never evicted)', () => {
    const b = bed({ maxBytes: 100 });
    b.send('a', unfinished(1000));
    expect(b.evicted).to.deep.equal([]);
    expect(b.table.stats().hosts).to.equal(1);
  });

  it('a host evicted → its bytes leave the total', () => {
    const b = bed({ maxHosts: 1 });
    b.send('a', unfinished(1000));
    b.send('b', unfinished(10));
    expect(b.table.stats().hostBytes).to.equal(HOST_OVERHEAD_BYTES + 10);
  });
});

describe('host table: deadlines', () => {
  it('only complete extended records → no deadline, due visits nothing', () => {
    const b = bed();
    b.send('a', extended('hello'));
    expect(b.table.nextDeadline()).to.equal(null);
    const visited: string[] = [];
    b.table.due(T0 + 1e9, (entry) => visited.push(entry.context.address));
    expect(visited).to.deep.equal([]);
  });

  it('unfinished line at T0 → deadline T0 + quietMs; due visits it only from then', () => {
    const b = bed();
    b.send('a', legacy('no newline yet'));
    expect(b.table.nextDeadline()).to.equal(T0 + QUIET_MS);
    const visited: number[] = [];
    const visit = (entry: HostEntry, now: number): void => {
      visited.push(now - T0);
      entry.stream.flush(now, { record: () => undefined, reboot: () => undefined, count: () => undefined }, entry.context);
    };
    b.table.due(T0 + QUIET_MS - 1, visit);
    b.table.due(T0 + QUIET_MS, visit);
    expect(visited).to.deep.equal([QUIET_MS]);
    expect(b.table.nextDeadline()).to.equal(null);
  });

  it('open panic at T0, a fragment heard at T0+500 → closing due at T0+500+quietMs (the later of the two)', () => {
    const b = bed();
    b.send('a', extended(PANIC));
    const entry = b.send('a', extended('part', { offset: 0, total: 100 }), T0 + 500);
    expect(hostDeadline(entry, QUIET_MS)).to.equal(T0 + 500 + QUIET_MS);
  });

  it('hosts due at T0+2000 and T0+3000 → nextDeadline the earlier; after due(T0+2000), the later', () => {
    const b = bed();
    b.send('a', legacy('a unfinished'), T0);
    b.send('b', legacy('b unfinished'), T0 + 1000);
    expect(b.table.nextDeadline()).to.equal(T0 + QUIET_MS);
    const sink = { record: () => undefined, reboot: () => undefined, count: () => undefined };
    b.table.due(T0 + QUIET_MS, (entry, now) => entry.stream.poll(now, sink, entry.context));
    expect(b.table.nextDeadline()).to.equal(T0 + 1000 + QUIET_MS);
  });

  it('drain with two hosts pending → both visited, nothing pending after', () => {
    const b = bed();
    b.send('a', legacy('a unfinished'));
    b.send('b', extended(PANIC));
    const visited: string[] = [];
    b.table.drain((entry) => visited.push(entry.context.address));
    expect(visited).to.deep.equal(['a', 'b']);
    expect(b.table.nextDeadline()).to.equal(null);
  });
});
