import { expect } from 'chai';
import { createClassifier } from '../classify/classifier.js';
import { loadRules } from '../classify/rules.js';
import type { IncidentEvent, KernelRecord } from '../types.js';
import { HOST_OVERHEAD_BYTES, createHostState, hostBytes, type HostState } from './host-state.js';
import { ENTRY_OVERHEAD_BYTES, entryCost } from './context-ring.js';
import { textBytes } from '../heap-size.js';
import {
  closeDeadline,
  closeIfQuiet,
  closeOpen,
  DEFAULT_HOST_CONTEXT_LIMITS,
  ingestRecord,
  resetBoot,
  type HostContextEnv,
  type HostContextLimits,
} from './host-context.js';

const classifier = createClassifier(loadRules());
const T0 = 1_700_000_000_000;

/** One input: a kernel record's text, a userspace record, time passing (ms after T0), a reboot or eviction. */
type Step = string | { user: string } | { quietAt: number } | { host: 'rebooted' | 'evicted' };

const REBOOT: Step = { host: 'rebooted' };
const EVICTED: Step = { host: 'evicted' };

interface Run {
  host: HostState;
  events: IncidentEvent[];
  untrusted: number;
}

function run(steps: Step[], limits: Partial<HostContextLimits> = {}): Run {
  const result: Run = { host: createHostState('10.0.0.7'), events: [], untrusted: 0 };
  const env: HostContextEnv = {
    classifier,
    limits: { ...DEFAULT_HOST_CONTEXT_LIMITS, ...limits },
    trustLegacy: true,
    emit: (event) => result.events.push(event),
    onUntrustedMatch: () => result.untrusted++,
  };
  let seq = 100;
  for (const step of steps) {
    if (typeof step === 'object' && 'host' in step) {
      if (step.host === 'rebooted') resetBoot(result.host, T0, env);
      else closeOpen(result.host, T0, env);
    } else if (typeof step === 'object' && 'quietAt' in step) closeIfQuiet(result.host, T0 + step.quietAt, env);
    else {
      const text = typeof step === 'string' ? step : step.user;
      const facility = typeof step === 'string' ? 0 : 1;
      ingestRecord(result.host, record(text, seq, facility), seq, T0, env);
      seq++;
    }
  }
  return result;
}

function record(text: string, seq: number, facility = 0): KernelRecord {
  return { format: 'extended', facility, level: 0, seq, timestampUs: seq * 10, continuation: false, release: null, text, userdata: {} };
}

const PANIC = 'Kernel panic - not syncing: Fatal exception';
const OOPS = 'Oops: 0002 [#1] PREEMPT SMP NOPTI';
const BUG = 'BUG: kernel NULL pointer dereference, address: 0000000000000000';
const WARNING = 'WARNING: CPU: 1 PID: 9 at kernel/workqueue.c:3066 __flush_work+0x2d/0x40';
const END_PANIC = '---[ end Kernel panic - not syncing: Fatal exception ]---';

/** Text of the incident's lines without the `[    0.001000] ` timestamp. */
const texts = (event: IncidentEvent | undefined): string[] => (event?.incident.lines ?? []).map((line) => line.replace(/^\[[^\]]*\] /, ''));

describe('host context: normal → incident open → trailing context captured → closed', () => {
  const rows: { name: string; steps: Step[]; limits?: Partial<HostContextLimits>; events: string[]; lastLines?: string[] }[] = [
    { name: 'two ordinary lines → no incident', steps: ['eth0: link up', 'EXT4-fs mounted'], events: [] },
    {
      name: 'two OOM kills in a row → two incidents (each kill counted), the second closing the first',
      steps: ['Memory cgroup out of memory: Killed process 11 (a)', 'oom_reaper: reaped process 11 (a)', 'Memory cgroup out of memory: Killed process 12 (b)'],
      events: ['opened OOMKilling', 'updated OOMKilling', 'closed OOMKilling', 'opened OOMKilling'],
      lastLines: ['Memory cgroup out of memory: Killed process 11 (a)', 'oom_reaper: reaped process 11 (a)', 'Memory cgroup out of memory: Killed process 12 (b)'],
    },
    { name: 'a line, a panic → opened with the line as context', steps: ['eth0: link up', PANIC], events: ['opened KernelPanic'], lastLines: ['eth0: link up', PANIC] },
    {
      name: 'panic, two trace lines → each one updates the open incident',
      steps: [PANIC, 'Call Trace:', ' dump_stack+0x10'],
      events: ['opened KernelPanic', 'updated KernelPanic', 'updated KernelPanic'],
      lastLines: [PANIC, 'Call Trace:', ' dump_stack+0x10'],
    },
    {
      name: 'panic, trace, end-of-panic trailer → closed by the trailer, trailer captured',
      steps: [PANIC, 'Call Trace:', END_PANIC, 'after the end'],
      events: ['opened KernelPanic', 'updated KernelPanic', 'closed KernelPanic'],
      lastLines: [PANIC, 'Call Trace:', END_PANIC],
    },
    { name: 'oops, then 1999 ms quiet → still open', steps: [OOPS, { quietAt: 1999 }], events: ['opened KernelOops'] },
    { name: 'oops, then 2000 ms quiet → closed', steps: [OOPS, { quietAt: 2000 }], events: ['opened KernelOops', 'closed KernelOops'] },
    {
      name: 'warning, 3 trace lines, trailingRecords 2 → closed at the cap, third line not captured',
      steps: [WARNING, 'trace 1', 'trace 2', 'trace 3'],
      limits: { trailingRecords: 2 },
      events: ['opened KernelWarning', 'updated KernelWarning', 'closed KernelWarning'],
      lastLines: [WARNING, 'trace 1', 'trace 2'],
    },
    {
      name: 'BUG, then a panic → BUG closed, the panic opened with it as cause',
      steps: [BUG, PANIC],
      events: ['opened KernelBug', 'closed KernelBug', 'opened KernelPanic'],
    },
    { name: 'panic, panic again (second CPU) → one incident, updated', steps: [PANIC, PANIC], events: ['opened KernelPanic', 'updated KernelPanic'] },
    { name: 'panic, reboot, panic → two fatal incidents', steps: [PANIC, REBOOT, PANIC], events: ['opened KernelPanic', 'closed KernelPanic', 'opened KernelPanic'] },
    { name: 'panic, host evicted → closed', steps: [PANIC, EVICTED], events: ['opened KernelPanic', 'closed KernelPanic'] },
    { name: 'userspace "Kernel panic" (facility 1) → no incident', steps: [{ user: PANIC }], events: [] },
  ];
  for (const row of rows) {
    it(row.name, () => {
      const { events } = run(row.steps, row.limits);
      expect(events.map((e) => `${e.type} ${e.incident.kind}`)).to.deep.equal(row.events);
      if (row.lastLines !== undefined) expect(texts(events.at(-1))).to.deep.equal(row.lastLines);
    });
  }

  it('BUG, then a panic → the panic carries the BUG as cause', () => {
    const { events } = run([BUG, PANIC]);
    expect(events.at(-1)?.incident.cause).to.deep.equal({ kind: 'KernelBug', summary: BUG });
  });

  it('userspace "Kernel panic" → counted as untrusted, kept as context', () => {
    const { host, untrusted } = run([{ user: PANIC }]);
    expect(untrusted).to.equal(1);
    expect(host.ring.entries.map((e) => e.text)).to.deep.equal([PANIC]);
  });

  it('closed incident → closedAt set to the closing time', () => {
    const { events } = run([OOPS, { quietAt: 2500 }]);
    expect(events.at(-1)?.incident.closedAt).to.equal(T0 + 2500);
  });
});

describe('host context: closeDeadline', () => {
  const rows: { name: string; steps: Step[]; deadline: number | null }[] = [
    { name: 'nothing open → null', steps: ['eth0: link up'], deadline: null },
    { name: 'oops open, last record at T0 → T0 + quietMs', steps: [OOPS], deadline: T0 + DEFAULT_HOST_CONTEXT_LIMITS.quietMs },
    { name: 'panic closed by its trailer → null', steps: [PANIC, END_PANIC], deadline: null },
  ];
  for (const row of rows) {
    it(row.name, () => {
      expect(closeDeadline(run(row.steps).host, DEFAULT_HOST_CONTEXT_LIMITS.quietMs)).to.equal(row.deadline);
    });
  }
});

describe('host context: byte bounds', () => {
  const line = (i: number): string => `line ${i} ${'x'.repeat(90)}`;
  const lines = (n: number): string[] => Array.from({ length: n }, (_, i) => line(i));
  const entryBytes = entryCost(line(0), null);

  const rows: { name: string; steps: Step[]; limits: Partial<HostContextLimits>; ring: string[] }[] = [
    { name: '10 records, ringRecords 4 → the last 4 kept', steps: lines(10), limits: { ringRecords: 4 }, ring: lines(10).slice(6) },
    { name: '10 records, ringBytes for 2½ → the last 2 kept', steps: lines(10), limits: { ringBytes: Math.floor(entryBytes * 2.5) }, ring: lines(10).slice(8) },
    { name: 'one record larger than ringBytes → kept alone', steps: lines(1), limits: { ringBytes: 10 }, ring: lines(1) },
  ];
  for (const row of rows) {
    it(row.name, () => {
      const { host } = run(row.steps, row.limits);
      expect(host.ring.entries.map((e) => e.text)).to.deep.equal(row.ring);
      expect(host.ring.bytes).to.equal(row.ring.length * entryBytes);
    });
  }

  it('panic, trailing lines beyond incidentBytes → closed once it holds more', () => {
    const limits = { incidentBytes: entryBytes * 3 };
    const { events } = run([PANIC, ...lines(5)], limits);
    expect(events.map((e) => e.type)).to.deep.equal(['opened', 'updated', 'updated', 'closed']);
    expect(texts(events.at(-1))).to.deep.equal([PANIC, ...lines(3)]);
  });

  it('a line, a panic, a trace line → hostBytes counts the ring, the open incident and the panic identity', () => {
    const { host } = run(['eth0: link up', PANIC, 'Call Trace:']);
    const ring = ['eth0: link up', PANIC, 'Call Trace:'].reduce((sum, text) => sum + ENTRY_OVERHEAD_BYTES + textBytes(text), 0);
    expect(host.open?.bytes).to.equal(ring);
    expect(host.fatalKeys).to.have.length(1);
    expect(hostBytes(host)).to.equal(HOST_OVERHEAD_BYTES + ring + ring + textBytes(host.fatalKeys[0] ?? ''));
  });
});
