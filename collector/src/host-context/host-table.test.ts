import { expect } from 'chai';
import { createClassifier } from '../classify/classifier.js';
import { loadRules } from '../classify/rules.js';
import { parseExtendedBody } from '../parse/parse-extended.js';
import { parseLegacyLine } from '../parse/parse-legacy.js';
import { createFragmentAssembler, DEFAULT_FRAGMENT_LIMITS } from '../reassemble/fragment-assembler.js';
import type { StreamEnv, StreamSink } from '../reassemble/host-stream.js';
import { textBytes } from '../heap-size.js';
import type { ExtendedFrame, IncidentEvent, ParsedFrame } from '../types.js';
import { closeOpen, DEFAULT_HOST_CONTEXT_LIMITS, ingestRecord, type HostContextEnv } from './host-context.js';
import { HOST_OVERHEAD_BYTES, type HostState } from './host-state.js';
import { createHostTable, hostDeadline, type HostEntry, type HostTable, type HostTier, type HostTierLimits } from './host-table.js';

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

interface BedOptions {
  /** Bounds of the `node` tier (every tier without `tiers`). */
  maxHosts?: number;
  maxBytes?: number;
  tiers?: Partial<Record<HostTier, HostTierLimits>>;
  /** Default: every address is a Node's. */
  isKnownSource?: (address: string) => boolean;
}

function bed(options: BedOptions = {}): Bed {
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
  const every: HostTierLimits = { maxHosts: options.maxHosts ?? 100, maxBytes: options.maxBytes ?? 1 << 20 };
  const table = createHostTable({
    limits: { node: every, incident: every, unknown: every, ...options.tiers },
    isKnownSource: options.isKnownSource ?? (() => true),
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
    transport: () => undefined,
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
  /** What a host holding only such a line accounts for. */
  const held = (bytes: number): number => HOST_OVERHEAD_BYTES + textBytes('x'.repeat(bytes));

  it('two hosts each holding 1000 bytes → hostBytes is their sum', () => {
    const b = bed();
    b.send('a', unfinished(1000));
    b.send('b', unfinished(1000));
    expect(b.table.stats().hostBytes).to.equal(2 * held(1000));
  });

  it('room for two hosts, three send → the least recently heard-from one evicted, total within bound', () => {
    const per = held(1000);
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
    expect(b.table.stats().hostBytes).to.equal(held(10));
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
      entry.stream.flush(now, { record: () => undefined, reboot: () => undefined, count: () => undefined, transport: () => undefined }, entry.context);
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
    const sink = { record: () => undefined, reboot: () => undefined, count: () => undefined, transport: () => undefined };
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

describe('host table: tiers', () => {
  const NODE = '10.0.0.1';
  const isNode = (address: string): boolean => address === NODE;
  const small: HostTierLimits = { maxHosts: 4, maxBytes: 1 << 20 };

  it('a Node with an open panic, then 100,000 distinct unknown sources → the Node and its incident stay', () => {
    const b = bed({ isKnownSource: isNode, tiers: { node: small, incident: small, unknown: { maxHosts: 100, maxBytes: 256 * 1024 } } });
    b.send(NODE, extended(PANIC));
    for (let i = 0; i < 100_000; i++) b.send(`198.18.${i >> 8}.${i & 255}`, extended('hello'));
    expect(b.evicted).to.not.include(NODE);
    expect(b.events.map((e) => `${e.type} ${e.incident.source}`)).to.deep.equal([`opened ${NODE}`]);
    const node = b.table.get(NODE);
    expect(node.context.open?.incident.kind).to.equal('KernelPanic');
    expect(node.tier).to.equal('node');
    const stats = b.table.stats();
    expect(stats.hostTiers.unknown.hosts).to.be.at.most(100);
    expect(stats.hostTiers.unknown.bytes).to.be.at.most(256 * 1024);
    expect(stats.hostTiers.node.hosts).to.equal(1);
  });

  it('a Node with an open panic, then 1,000 unknown sources each sending a panic → the Node keeps it', () => {
    const b = bed({ isKnownSource: isNode, tiers: { node: small, incident: small, unknown: small } });
    b.send(NODE, extended(PANIC));
    for (let i = 0; i < 1000; i++) b.send(`198.18.0.${i}`, extended(PANIC));
    expect(b.table.get(NODE).context.open).to.not.equal(null);
    expect(b.table.stats().hostTiers.incident.hosts).to.equal(4);
    expect(b.events.filter((e) => e.type === 'closed').map((e) => e.incident.source)).to.not.include(NODE);
  });

  it('an unknown source with an open incident, then unknown sources without → it stays (its own tier)', () => {
    const b = bed({ isKnownSource: () => false, tiers: { node: small, incident: small, unknown: { maxHosts: 2, maxBytes: 1 << 20 } } });
    b.send('192.0.2.1', extended(PANIC));
    for (let i = 2; i < 50; i++) b.send(`192.0.2.${i}`, extended('hello'));
    expect(b.evicted).to.not.include('192.0.2.1');
    expect(b.table.get('192.0.2.1').tier).to.equal('incident');
  });

  it('unknown source whose incident closes → back to the unknown tier, bytes moved with it', () => {
    const b = bed({ isKnownSource: () => false });
    const entry = b.send('192.0.2.1', extended(PANIC));
    expect(entry.tier).to.equal('incident');
    const bytes = b.table.stats().hostTiers.incident.bytes;
    b.send('192.0.2.1', extended('---[ end Kernel panic - not syncing: Fatal exception ]---'));
    expect(entry.tier).to.equal('unknown');
    const stats = b.table.stats();
    expect(stats.hostTiers.incident).to.deep.equal({ hosts: 0, bytes: 0 });
    expect(stats.hostTiers.unknown.hosts).to.equal(1);
    expect(stats.hostTiers.unknown.bytes).to.be.greaterThan(0);
    expect(stats.hostBytes).to.equal(stats.hostTiers.unknown.bytes);
    expect(bytes).to.be.greaterThan(0);
  });

  it('a source that becomes a Node address → moves to the node tier when it next settles', () => {
    const nodes = new Set<string>();
    const b = bed({ isKnownSource: (a) => nodes.has(a) });
    expect(b.send('10.0.0.9', extended('hello')).tier).to.equal('unknown');
    nodes.add('10.0.0.9');
    expect(b.send('10.0.0.9', extended('hello')).tier).to.equal('node');
    expect(b.table.stats().hostTiers.unknown.hosts).to.equal(0);
  });

  it('Node hosts beyond the node tier bound → the least recently heard-from Node evicted, unknown hosts untouched', () => {
    const b = bed({ isKnownSource: (a) => a.startsWith('10.'), tiers: { node: { maxHosts: 2, maxBytes: 1 << 20 } } });
    b.send('192.0.2.1', extended('hello'));
    for (const host of ['10.0.0.1', '10.0.0.2', '10.0.0.3']) b.send(host, extended('hello'));
    expect(b.evicted).to.deep.equal(['10.0.0.1']);
  });
});
