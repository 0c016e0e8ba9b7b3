import { expect } from 'chai';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { loadRules } from './classify/rules.js';
import { formatExtended, type ExtendedRecordSpec } from './parse/format-extended.js';
import { createPipeline, type Pipeline, type PipelineLimitOptions } from './pipeline.js';
import { formatCanary, type Incident, type IncidentEvent } from './types.js';

const rules = loadRules();
const T0 = 1_700_000_000_000;
const HOST = '10.0.0.7';

interface Harness {
  pipeline: Pipeline;
  events: IncidentEvent[];
  /** Final state of each incident by id. */
  incidents(): Incident[];
  send(payload: Buffer | string, opts?: { at?: number; source?: string }): void;
}

function harness(options: { trustLegacy?: boolean; limits?: PipelineLimitOptions; isKnownSource?: (a: string) => boolean } = {}): Harness {
  const events: IncidentEvent[] = [];
  const pipeline = createPipeline({ rules, ...options, onEvent: (e) => events.push(e) });
  return {
    pipeline,
    events,
    incidents() {
      const byId = new Map<string, Incident>();
      for (const e of events) byId.set(e.incident.id, e.incident);
      return [...byId.values()];
    },
    send(payload, opts = {}) {
      pipeline.ingest({
        source: opts.source ?? HOST,
        sourcePort: 6665,
        payload: Buffer.from(payload),
        receivedAt: opts.at ?? T0,
      });
    },
  };
}

/** Extended records as the kernel sends them; facility 0 unless given. */
function records(specs: (Partial<ExtendedRecordSpec> & { text: string })[], firstSeq = 100): Buffer[] {
  return specs.flatMap((spec, i) => formatExtended({ seq: firstSeq + i, timestampUs: 5_000_000 + i * 10, ...spec }));
}

const fixture = readFileSync(new URL('../fixtures/hand-made/oops-then-panic.kmsg', import.meta.url), 'utf8')
  .split('\n')
  .filter((line) => line !== '')
  .map((line) => Buffer.from(`${line}\n`));

const fatal = (h: Harness): Incident[] => h.incidents().filter((i) => i.fatal);

describe('pipeline: one record per reason code', () => {
  const rows: { text: string; kind: string; fatal: boolean }[] = [
    { text: 'Kernel panic - not syncing: sysrq triggered crash', kind: 'KernelPanic', fatal: true },
    { text: 'Oops: 0002 [#1] PREEMPT SMP NOPTI', kind: 'KernelOops', fatal: false },
    { text: 'general protection fault, probably for non-canonical address 0xdead: 0000 [#1] SMP', kind: 'KernelOops', fatal: false },
    { text: 'BUG: kernel NULL pointer dereference, address: 0000000000000000', kind: 'KernelBug', fatal: false },
    { text: 'kernel BUG at mm/slub.c:379!', kind: 'KernelBug', fatal: false },
    { text: 'NMI watchdog: Watchdog detected hard LOCKUP on cpu 3', kind: 'HardLockup', fatal: false },
    { text: 'watchdog: BUG: soft lockup - CPU#0 stuck for 22s! [kworker/0:1:31]', kind: 'SoftLockup', fatal: false },
    { text: 'INFO: task jbd2/sda1-8:211 blocked for more than 120 seconds.', kind: 'TaskHung', fatal: false },
    { text: 'rcu: INFO: rcu_preempt detected stalls on CPUs/tasks:', kind: 'RCUStall', fatal: false },
    { text: 'INFO: rcu_sched self-detected stall on CPU', kind: 'RCUStall', fatal: false },
    { text: 'Out of memory: Killed process 4242 (stress) total-vm:2000kB', kind: 'OOMKilling', fatal: false },
    { text: 'Memory cgroup out of memory: Killed process 77 (java)', kind: 'OOMKilling', fatal: false },
    { text: 'mce: [Hardware Error]: CPU 0: Machine Check Exception: 5 Bank 4: b200000000070f0f', kind: 'MachineCheck', fatal: false },
    { text: 'WARNING: CPU: 1 PID: 9 at kernel/workqueue.c:3066 __flush_work+0x2d/0x40', kind: 'KernelWarning', fatal: false },
  ];
  for (const row of rows) {
    it(`"${row.text}" → ${row.kind}${row.fatal ? ' (fatal)' : ''}`, () => {
      const h = harness();
      for (const d of records([{ text: 'ordinary line' }, { text: row.text, level: 4 }])) h.send(d);
      const incidents = h.incidents();
      expect(incidents).to.have.length(1);
      expect(incidents[0]).to.include({ kind: row.kind, fatal: row.fatal, summary: row.text, source: HOST });
      expect(h.events[0]?.type).to.equal('opened');
    });
  }

  it('"ordinary boot chatter" → no incident', () => {
    const h = harness();
    for (const d of records([{ text: 'virtio_net virtio0 eth0: renamed' }, { text: 'EXT4-fs (vda): mounted' }])) h.send(d);
    expect(h.events).to.deep.equal([]);
  });
});

describe('pipeline: oops followed by a panic (fixture oops-then-panic.kmsg)', () => {
  it('opens the oops, then exactly one fatal panic incident carrying the BUG as cause', () => {
    const h = harness();
    fixture.forEach((d, i) => h.send(d, { at: T0 + i }));
    const incidents = h.incidents();
    expect(incidents.map((i) => [i.kind, i.fatal])).to.deep.equal([
      ['KernelBug', false],
      ['KernelPanic', true],
    ]);
    const panic = incidents[1];
    expect(panic?.summary).to.equal('Kernel panic - not syncing: Fatal exception');
    expect(panic?.cause).to.deep.equal({ kind: 'KernelBug', summary: 'BUG: kernel NULL pointer dereference, address: 0000000000000000' });
    expect(panic?.kernelRelease).to.equal('6.1.0-18-amd64');
    expect(panic?.closedAt).to.equal(T0 + fixture.length - 1); // closed by the end trailer
    expect(panic?.lines.some((l) => l.includes('---[ end Kernel panic'))).to.equal(true);
    expect(panic?.lines[0]).to.match(/^\[\s*\d+\.\d{6}\] /);
    expect(panic?.firstSeq).to.be.a('number');
    expect(panic?.lastSeq).to.equal(1225);
    const opened = h.events.filter((e) => e.type === 'opened' && e.incident.fatal);
    expect(opened).to.have.length(1);
    expect(opened[0]?.incident.lines.at(-1)).to.include('Kernel panic - not syncing');
  });

  it('every datagram sent twice → still one fatal incident', () => {
    const h = harness();
    for (const d of fixture) {
      h.send(d);
      h.send(d);
    }
    expect(fatal(h)).to.have.length(1);
    expect(h.pipeline.stats().duplicates).to.equal(fixture.length);
  });

  it('datagrams reversed in blocks of 8 → one fatal incident, cause still found', () => {
    const h = harness();
    const shuffled: Buffer[] = [];
    for (let i = 0; i < fixture.length; i += 8) shuffled.push(...fixture.slice(i, i + 8).reverse());
    for (const d of shuffled) h.send(d);
    const panics = fatal(h);
    expect(panics).to.have.length(1);
    expect(panics[0]?.cause?.kind).to.be.oneOf(['KernelBug', 'KernelOops']);
    expect(h.pipeline.stats().reordered).to.be.greaterThan(0);
  });

  it('panic line first, its oops later (reordered) → the cause is added by an update', () => {
    const h = harness();
    const panicIndex = fixture.findIndex((d) => d.includes('Kernel panic - not syncing'));
    const panicLine = fixture[panicIndex];
    if (panicLine === undefined) throw new Error('fixture has no panic');
    h.send(panicLine);
    for (const [i, d] of fixture.entries()) if (i !== panicIndex) h.send(d);
    const panics = fatal(h);
    expect(panics).to.have.length(1);
    expect(panics[0]?.cause?.kind).to.equal('KernelBug');
    expect(h.events[0]?.incident.cause).to.equal(null);
  });

  it('two collectors fed the same datagrams derive the same incident ids', () => {
    const a = harness();
    const b = harness();
    fixture.forEach((d, i) => a.send(d, { at: T0 + i }));
    fixture.forEach((d, i) => b.send(d, { at: T0 + 5000 + i * 3 }));
    expect(a.incidents().map((i) => i.id)).to.deep.equal(b.incidents().map((i) => i.id));
  });
});

describe('pipeline: trust', () => {
  it('userspace "Kernel panic" (facility 1, prefix 11) → ignored, counted, kept as context', () => {
    const h = harness();
    for (const d of records([{ text: 'Kernel panic - not syncing: forged', facility: 1, level: 3 }])) h.send(d);
    expect(h.events).to.deep.equal([]);
    expect(h.pipeline.stats().untrustedIncidentLike).to.equal(1);
    expect(h.pipeline.hosts()[0]?.records).to.equal(1);
  });

  it('the agent canary (facility 1) → host lastCanaryAt and lastCanaryNode', () => {
    const h = harness();
    for (const d of records([{ text: formatCanary('worker-3', 7), facility: 1, level: 6 }])) h.send(d, { at: T0 + 42 });
    expect(h.pipeline.hosts()[0]).to.include({ lastCanaryAt: T0 + 42, lastCanaryNode: 'worker-3', panicLine: null });
    expect(h.events).to.deep.equal([]);
  });

  it('a canary saying panic-line=suppressed (nbcon + kernel.panic≠0) → the host shows it; a later "sent" replaces it', () => {
    const h = harness();
    for (const d of records([{ text: formatCanary('worker-3', 1, 'suppressed'), facility: 1, level: 6 }])) h.send(d, { at: T0 });
    expect(h.pipeline.hosts()[0]).to.include({ lastCanaryNode: 'worker-3', panicLine: 'suppressed' });
    for (const d of records([{ text: formatCanary('worker-3', 2, 'sent'), facility: 1, level: 6 }], 101)) h.send(d, { at: T0 + 1000 });
    expect(h.pipeline.hosts()[0]?.panicLine).to.equal('sent');
  });

  it('legacy panic with trustLegacy: false → no incident, counted', () => {
    const h = harness({ trustLegacy: false });
    h.send('[  12.000001] Kernel panic - not syncing: Fatal exception\n');
    expect(h.events).to.deep.equal([]);
    expect(h.pipeline.stats().untrustedIncidentLike).to.equal(1);
  });
});

describe('pipeline: extended format details', () => {
  it('release prefix (6.8.0-45-generic,0,...) → kernelRelease', () => {
    const h = harness();
    for (const d of records([{ text: 'Kernel panic - not syncing: x', release: '6.8.0-45-generic' }])) h.send(d);
    expect(h.incidents()[0]?.kernelRelease).to.equal('6.8.0-45-generic');
  });

  it('CPU: line after the panic line → incident updated with the release', () => {
    const h = harness();
    const datagrams = records([
      { text: 'Kernel panic - not syncing: sysrq triggered crash' },
      { text: 'CPU: 0 PID: 1 Comm: sh Tainted: G      D W          6.12.9+bpo-amd64 #1 Debian 6.12.9-1~bpo12+1' },
    ]);
    for (const d of datagrams) h.send(d);
    expect(h.events.map((e) => [e.type, e.incident.kernelRelease])).to.deep.equal([
      ['opened', null],
      ['updated', '6.12.9+bpo-amd64'],
    ]);
  });

  it('userdata lines ( node=worker-1) → incident.userdata', () => {
    const h = harness();
    for (const d of records([{ text: 'Kernel panic - not syncing: x', userdata: { node: 'worker-1', release: '6.9.0' } }])) h.send(d);
    expect(h.incidents()[0]?.userdata).to.deep.equal({ node: 'worker-1', release: '6.9.0' });
  });

  it('a 3000-byte panic record in fragments, sent last-first with a duplicate → one record, one incident', () => {
    const h = harness();
    const text = `Kernel panic - not syncing: ${'y'.repeat(3000)}`;
    const pieces = formatExtended({ seq: 9, timestampUs: 1, text, userdata: { node: 'n1' } });
    expect(pieces.length).to.be.greaterThan(3);
    const first = pieces[0];
    if (first === undefined) throw new Error('no fragments');
    for (const d of [...pieces].reverse()) h.send(d);
    h.send(first);
    const incidents = h.incidents();
    expect(incidents).to.have.length(1);
    expect(incidents[0]?.summary).to.equal(text);
    expect(incidents[0]?.userdata).to.deep.equal({ node: 'n1' });
    expect(h.pipeline.stats().records).to.equal(1);
    expect(h.pipeline.stats().fragmentsInFlight).to.equal(0);
  });

  it('two hosts interleaved → two fatal incidents, each with its own source and lines', () => {
    const h = harness();
    const a = records([{ text: 'host a line' }, { text: 'Kernel panic - not syncing: A' }]);
    const b = records([{ text: 'host b line' }, { text: 'Kernel panic - not syncing: B' }]);
    for (let i = 0; i < a.length; i++) {
      h.send(a[i] ?? '', { source: '10.0.0.1' });
      h.send(b[i] ?? '', { source: 'fd00::2' });
    }
    const panics = fatal(h);
    expect(panics.map((p) => [p.source, p.summary])).to.deep.equal([
      ['10.0.0.1', 'Kernel panic - not syncing: A'],
      ['fd00::2', 'Kernel panic - not syncing: B'],
    ]);
    expect(panics[0]?.lines.join('\n')).to.include('host a line').and.not.include('host b line');
  });

  it('reboot (sequence restarts at 0) then a second panic → two fatal incidents', () => {
    const h = harness();
    for (const d of records([{ text: 'Kernel panic - not syncing: first' }], 5000)) h.send(d, { at: T0 });
    for (const d of records([{ text: 'Linux version 6.1.0' }, { text: 'Kernel panic - not syncing: second' }], 0)) {
      h.send(d, { at: T0 + 1000 });
    }
    expect(fatal(h).map((p) => p.summary)).to.deep.equal(['Kernel panic - not syncing: first', 'Kernel panic - not syncing: second']);
    expect(h.pipeline.stats().sequenceResets).to.equal(1);
  });

  it('panic output from two CPUs (second panic line, same boot) → one fatal incident', () => {
    const h = harness();
    for (const d of records([{ text: 'Kernel panic - not syncing: Hard LOCKUP' }, { text: 'Kernel panic - not syncing: Hard LOCKUP' }])) h.send(d);
    expect(fatal(h)).to.have.length(1);
  });

  it('sequence gap 100 → 105 → host sequenceGaps 4', () => {
    const h = harness();
    h.send('6,100,10,-;a\n');
    h.send('6,105,20,-;b\n');
    expect(h.pipeline.hosts()[0]).to.include({ sequenceGaps: 4, lastSeq: 105 });
  });
});

describe('pipeline: trailing capture', () => {
  it('quiet period of 2 s after the last record (tick) → closed', () => {
    const h = harness();
    for (const d of records([{ text: 'Kernel panic - not syncing: x' }, { text: 'Kernel Offset: disabled' }])) h.send(d, { at: T0 });
    h.pipeline.tick(T0 + 1999);
    expect(h.incidents()[0]?.closedAt).to.equal(null);
    h.pipeline.tick(T0 + 2000);
    expect(h.incidents()[0]?.closedAt).to.equal(T0 + 2000);
    expect(h.events.at(-1)?.type).to.equal('closed');
  });

  it('250 trailing lines → closed at the 200-line cap', () => {
    const h = harness();
    const specs = [{ text: 'Kernel panic - not syncing: x' }, ...Array.from({ length: 250 }, (_, i) => ({ text: `trace ${i}` }))];
    for (const d of records(specs)) h.send(d);
    const panic = h.incidents()[0];
    expect(panic?.closedAt).to.not.equal(null);
    expect(panic?.lines.filter((l) => l.includes('trace '))).to.have.length(200);
  });

  it('hung task open, then a panic → hung task closed, panic has it as cause', () => {
    const h = harness();
    const specs = [
      { text: 'INFO: task kworker:7 blocked for more than 120 seconds.' },
      { text: '"echo 0 > /proc/sys/kernel/hung_task_timeout_secs" disables this message.' },
      { text: 'Kernel panic - not syncing: hung_task: blocked tasks' },
    ];
    for (const d of records(specs)) h.send(d);
    expect(h.events.map((e) => [e.type, e.incident.kind])).to.deep.equal([
      ['opened', 'TaskHung'],
      ['updated', 'TaskHung'],
      ['closed', 'TaskHung'],
      ['opened', 'KernelPanic'],
    ]);
    expect(fatal(h)[0]?.cause).to.deep.equal({ kind: 'TaskHung', summary: 'INFO: task kworker:7 blocked for more than 120 seconds.' });
  });

  it('warning open, then a soft lockup → the lockup opens its own incident', () => {
    const h = harness();
    for (const d of records([{ text: 'WARNING: CPU: 0 PID: 1 at x.c:1 f+0x1/0x2' }, { text: 'watchdog: BUG: soft lockup - CPU#0 stuck for 22s! [a:1]' }])) h.send(d);
    expect(h.incidents().map((i) => i.kind)).to.deep.equal(['KernelWarning', 'SoftLockup']);
  });
});

describe('pipeline: legacy format', () => {
  it('legacy lines split across 1000-byte pieces → one fatal incident with the whole line', () => {
    const h = harness();
    const text =
      '[  100.000100] BUG: unable to handle page fault for address: ffff\n' +
      '[  100.000200] Oops: 0000 [#1] SMP\n' +
      '[  100.000300] CPU: 0 PID: 1 Comm: init Not tainted 5.10.0-28-amd64 #1 Debian 5.10.209-2\n' +
      '[  100.000400] Kernel panic - not syncing: Attempted to kill init! exitcode=0x00000009\n';
    h.send(text.slice(0, 70), { at: T0 });
    h.send(text.slice(70, 200), { at: T0 + 1 });
    h.send(text.slice(200), { at: T0 + 2 });
    const panics = fatal(h);
    expect(panics).to.have.length(1);
    expect(panics[0]).to.include({
      summary: 'Kernel panic - not syncing: Attempted to kill init! exitcode=0x00000009',
      kernelRelease: '5.10.0-28-amd64',
      format: 'legacy',
    });
    expect(panics[0]?.cause?.kind).to.equal('KernelBug');
  });

  it('legacy line without a newline → emitted when the host goes quiet', () => {
    const h = harness();
    h.send('Kernel panic - not syncing: no newline', { at: T0 });
    expect(h.events).to.deep.equal([]);
    h.pipeline.tick(T0 + 2500);
    expect(fatal(h)).to.have.length(1);
  });

  it('legacy datagram repeated → one fatal incident', () => {
    const h = harness();
    h.send('[    5.5] Kernel panic - not syncing: Fatal exception\n');
    h.send('[    5.5] Kernel panic - not syncing: Fatal exception\n');
    expect(fatal(h)).to.have.length(1);
  });
});

describe('pipeline: bounded memory', () => {
  it('adversarial fragments from many sources → fragments and host bytes stay within limits', () => {
    const limits = {
      hosts: { node: { maxHosts: 64, maxBytes: 512 * 1024 } },
      fragments: { maxBytesInFlight: 64 * 1024, maxInFlight: 32, maxInFlightPerHost: 4 },
    };
    const fragment = fc.record({
      host: fc.integer({ min: 0, max: 200 }),
      seq: fc.integer({ min: 0, max: 1_000_000 }),
      offset: fc.integer({ min: 0, max: 20_000 }),
      total: fc.integer({ min: 1, max: 20_000 }),
      size: fc.integer({ min: 1, max: 990 }),
      facility: fc.integer({ min: 0, max: 2 }),
    });
    fc.assert(
      fc.property(fc.array(fragment, { minLength: 1, maxLength: 400 }), (frags) => {
        const h = harness({ limits });
        for (const [i, f] of frags.entries()) {
          const header = `${f.facility << 3},${f.seq},${f.seq * 10},-,ncfrag=${f.offset}/${f.total};`;
          h.send(Buffer.concat([Buffer.from(header), Buffer.alloc(f.size, 0x41)]), { source: `10.1.0.${f.host}`, at: T0 + i });
          const s = h.pipeline.stats();
          if (s.fragmentBytesInFlight > 64 * 1024 + 1000 || s.fragmentsInFlight > 32) return false;
          if (s.hosts > 64 || s.hostBytes > 512 * 1024) return false;
        }
        return true;
      }),
      { numRuns: 150 },
    );
  });

  it('many chatty hosts → least recently heard-from hosts are evicted, and their open incidents closed', () => {
    const h = harness({ limits: { hosts: { node: { maxHosts: 10 } } } });
    for (const d of records([{ text: 'Kernel panic - not syncing: x' }])) h.send(d, { source: '192.0.2.1' });
    for (let i = 2; i < 30; i++) h.send(`6,1,1,-;hello from ${i}\n`, { source: `192.0.2.${i}` });
    const s = h.pipeline.stats();
    expect(s.hosts).to.equal(10);
    expect(s.hostsEvicted).to.equal(19);
    expect(h.events.map((e) => e.type)).to.deep.equal(['opened', 'closed']);
  });

  it('arbitrary datagrams from a few sources never throw', () => {
    const datagram = fc.record({ host: fc.integer({ min: 0, max: 3 }), bytes: fc.uint8Array({ maxLength: 1200 }) });
    fc.assert(
      fc.property(fc.array(datagram, { maxLength: 50 }), (list) => {
        const h = harness();
        list.forEach((d, i) => h.send(Buffer.from(d.bytes), { source: `10.9.0.${d.host}`, at: T0 + i * 700 }));
        h.pipeline.tick(T0 + 1e6);
        return true;
      }),
      { numRuns: 300 },
    );
  });
});

describe('pipeline: nothing kept refers to a receive batch', () => {
  // A full collection on demand, to see which batches are still reachable.
  setFlagsFromString('--expose-gc');
  const collect = runInNewContext('gc') as () => void;

  it('677 never-completed fragments, userdata, a release, a canary, legacy lines and an open panic from views into 2 MiB batches → every batch collectable', async () => {
    const events: IncidentEvent[] = [];
    const pipeline = createPipeline({ rules, onEvent: (e) => events.push(e) });
    const batches: WeakRef<ArrayBuffer>[] = [];
    /** Delivers the datagrams as the batch receiver does: views into one fresh 2 MiB buffer per call. */
    const receive = (datagrams: { source: string; payload: Buffer | string }[], at: number): void => {
      const batch = Buffer.alloc(2 * 1024 * 1024);
      batches.push(new WeakRef(batch.buffer));
      let offset = 0;
      for (const d of datagrams) {
        const length = Buffer.from(d.payload).copy(batch, offset);
        pipeline.ingest({ source: d.source, sourcePort: 6665, payload: batch.subarray(offset, offset + length), receivedAt: at });
        offset += length;
      }
    };
    for (let i = 0; i < 677; i++) receive([{ source: `10.1.${i >> 8}.${i & 255}`, payload: `6,${i + 1},${i * 10},-,ncfrag=0/4000;x` }], T0);
    const node = '10.0.0.7';
    const spec = { release: '6.12.9+bpo-amd64', userdata: { node: 'worker-1', rack: 'r'.repeat(40) } };
    receive(formatExtended({ ...spec, seq: 1, timestampUs: 100, facility: 3, level: 6, text: formatCanary('worker-1', 1) }).map((payload) => ({ source: node, payload })), T0);
    receive(formatExtended({ ...spec, seq: 2, timestampUs: 200, text: 'CPU: 0 PID: 1 Comm: sh Not tainted 6.12.9+bpo-amd64 #1 Debian' }).map((payload) => ({ source: node, payload })), T0);
    receive(formatExtended({ ...spec, seq: 3, timestampUs: 300, text: `Kernel panic - not syncing: ${'y'.repeat(2500)}` }).map((payload) => ({ source: node, payload })), T0);
    receive([{ source: '10.0.0.8', payload: '[  1.000000] first legacy line\n[  1.000001] second legacy line, unfini' }], T0);
    expect(pipeline.stats().fragmentsInFlight).to.equal(677);
    expect(events.map((e) => e.type)).to.deep.equal(['opened']);
    expect(events[0]?.incident.userdata).to.deep.equal(spec.userdata);
    await new Promise((resolve) => setImmediate(resolve)); // WeakRef targets live until the job ends
    collect();
    const kept = batches.filter((batch) => batch.deref() !== undefined).length;
    expect(kept).to.equal(0);
    expect(pipeline.hosts().find((h) => h.address === node)).to.include({ kernelRelease: '6.12.9+bpo-amd64', lastCanaryNode: 'worker-1' });
  });
});

describe('pipeline: Node hosts against spoofed sources', () => {
  it('a Node panics, then 100,000 distinct unknown sources send a line each → its context and incident stay open', () => {
    const limits = { hosts: { unknown: { maxHosts: 1000, maxBytes: 1024 * 1024 } } };
    const h = harness({ limits, isKnownSource: (address) => address === HOST });
    for (const d of records([{ text: 'Kernel panic - not syncing: Fatal exception' }])) h.send(d);
    for (let i = 0; i < 100_000; i++) h.send(`6,1,1,-;hello ${i}\n`, { source: `198.18.${i >> 8}.${i & 255}` });
    const s = h.pipeline.stats();
    expect(h.events.map((e) => `${e.type} ${e.incident.source}`)).to.deep.equal([`opened ${HOST}`]);
    expect(s.hostTiers.node.hosts).to.equal(1);
    expect(s.hostTiers.unknown.hosts).to.be.at.most(1000);
    expect(s.hostTiers.unknown.bytes).to.be.at.most(1024 * 1024);
    expect(s.hostsEvicted).to.be.at.least(99_000);
    for (const d of records([{ text: '---[ end Kernel panic - not syncing: Fatal exception ]---' }], 101)) h.send(d);
    expect(h.events.map((e) => e.type)).to.deep.equal(['opened', 'closed']);
  });
});

describe('pipeline: a refuted panic does not mask the next one', () => {
  const panic = (seq: number, what: string): Buffer[] => records([{ text: `Kernel panic - not syncing: ${what}`, level: 0 }], seq);

  it('a second panic line of the same boot within the re-arm time → no new incident (one panic per boot)', () => {
    const h = harness();
    for (const d of panic(900, 'forged')) h.send(d, { at: T0 });
    h.pipeline.tick(T0 + 3000);
    for (const d of panic(950, 'real')) h.send(d, { at: T0 + 4000 });
    expect(fatal(h).map((i) => i.summary)).to.deep.equal(['Kernel panic - not syncing: forged']);
  });

  it('rearm(source) after the refutation → the next panic line opens its own incident at once, the refuted one closed', () => {
    const h = harness();
    for (const d of panic(900, 'forged')) h.send(d, { at: T0 });
    expect(h.pipeline.rearm(HOST, T0 + 700)).to.equal(true);
    expect(h.events.filter((e) => e.type === 'closed').map((e) => e.incident.summary)).to.deep.equal(['Kernel panic - not syncing: forged']);
    for (const d of panic(901, 'real')) h.send(d, { at: T0 + 800 });
    expect(fatal(h).map((i) => i.summary)).to.deep.equal(['Kernel panic - not syncing: forged', 'Kernel panic - not syncing: real']);
    expect(h.pipeline.rearm('10.9.9.9', T0 + 900), 'an unknown host').to.equal(false);
  });
});
