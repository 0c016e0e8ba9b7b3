import { ethernet, frameFor, ipv4Udp, ipv6Udp, writePcap, writePcapng, type CaptureRecord } from '@lastgasp/testbed/testing';
import { expect } from 'chai';
import fc from 'fast-check';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatExtended } from '../parse/format-extended.js';
import { decodeFrame, formatIpv6, LINKTYPE } from './decode-packet.js';
import { isUnusable, readCapture } from './read-capture.js';
import { replayCommand } from './replay-command.js';

const T0 = 1_700_000_000_000;
const panicRecords = [
  { text: 'BUG: kernel NULL pointer dereference, address: 0000000000000000' },
  { text: 'Oops: 0002 [#1] PREEMPT SMP NOPTI' },
  { text: 'CPU: 0 PID: 1 Comm: sh Not tainted 6.1.0-18-amd64 #1 Debian 6.1.76-1' },
  { text: '---[ end trace 0000000000000000 ]---' },
  { text: 'Kernel panic - not syncing: Fatal exception' },
  { text: '---[ end Kernel panic - not syncing: Fatal exception ]---' },
].flatMap((spec, i) => formatExtended({ seq: 300 + i, timestampUs: 9_000_000 + i, ...spec, userdata: { node: 'worker-1' } }));

function packets(source: string, destination: string, port = 6666): Buffer[] {
  const v6 = source.includes(':');
  return panicRecords.map((payload) =>
    v6 ? ipv6Udp({ source, destination, payload, destinationPort: port }) : ipv4Udp({ source, destination, payload, destinationPort: port }),
  );
}

function asRecords(frames: Buffer[], interfaceId?: number): CaptureRecord[] {
  return frames.map((data, i) => ({ timestampMs: T0 + i * 10, data, ...(interfaceId === undefined ? {} : { interfaceId }) }));
}

async function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await replayCommand(args, {
    stdout: { write: (t: string) => (stdout += t) },
    stderr: { write: (t: string) => (stderr += t) },
  });
  return { code, stdout, stderr };
}

describe('replay', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'lastgasp-replay-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  function file(name: string, content: Buffer): string {
    const path = join(dir, name);
    writeFileSync(path, content);
    return path;
  }

  const v4 = packets('192.0.2.10', '192.0.2.1');
  const v6 = packets('fd00::10', 'fd00::1');
  const cases: { name: string; capture: () => Buffer; source: string }[] = [
    { name: 'pcap, little-endian µs, Ethernet, IPv4', capture: () => writePcap(asRecords(v4.map((p) => ethernet(p))), { linkType: LINKTYPE.ETHERNET }), source: '192.0.2.10' },
    { name: 'pcap, big-endian µs, Ethernet with 802.1Q VLAN, IPv4', capture: () => writePcap(asRecords(v4.map((p) => ethernet(p, [42]))), { linkType: LINKTYPE.ETHERNET, bigEndian: true }), source: '192.0.2.10' },
    { name: 'pcap, little-endian ns, Linux cooked (SLL), IPv6', capture: () => writePcap(asRecords(v6.map((p) => frameFor(LINKTYPE.LINUX_SLL, p))), { linkType: LINKTYPE.LINUX_SLL, nanos: true }), source: 'fd00::10' },
    { name: 'pcap, big-endian ns, Linux cooked v2 (SLL2), IPv4', capture: () => writePcap(asRecords(v4.map((p) => frameFor(LINKTYPE.LINUX_SLL2, p))), { linkType: LINKTYPE.LINUX_SLL2, nanos: true, bigEndian: true }), source: '192.0.2.10' },
    { name: 'pcap, raw IP (101), IPv6 with extension headers', capture: () => writePcap(asRecords(packets('fd00::10', 'fd00::1').map((_, i) => ipv6Udp({ source: 'fd00::10', destination: 'fd00::1', payload: panicRecords[i] ?? Buffer.alloc(0) }, [0, 60]))), { linkType: LINKTYPE.RAW }), source: 'fd00::10' },
    { name: 'pcap, raw IPv4 (228)', capture: () => writePcap(asRecords(v4), { linkType: LINKTYPE.IPV4 }), source: '192.0.2.10' },
    { name: 'pcap, raw IPv6 (229)', capture: () => writePcap(asRecords(v6), { linkType: LINKTYPE.IPV6 }), source: 'fd00::10' },
    { name: 'pcapng, little-endian, Ethernet, EPB µs', capture: () => writePcapng(asRecords(v4.map((p) => ethernet(p))), [{ linkType: LINKTYPE.ETHERNET }]), source: '192.0.2.10' },
    { name: 'pcapng, big-endian, SLL2 on interface 1 with ns tsresol', capture: () => writePcapng(asRecords(v6.map((p) => frameFor(LINKTYPE.LINUX_SLL2, p)), 1), [{ linkType: LINKTYPE.ETHERNET }, { linkType: LINKTYPE.LINUX_SLL2, tsresol: 9 }], { bigEndian: true }), source: 'fd00::10' },
    { name: 'pcapng, simple packet blocks, raw IP', capture: () => writePcapng(asRecords(v4), [{ linkType: LINKTYPE.RAW }], { simple: true }), source: '192.0.2.10' },
    { name: 'pcapng, binary tsresol (2^-20), SLL', capture: () => writePcapng(asRecords(v4.map((p) => frameFor(LINKTYPE.LINUX_SLL, p))), [{ linkType: LINKTYPE.LINUX_SLL, tsresol: 0x80 | 20 }]), source: '192.0.2.10' },
  ];
  for (const row of cases) {
    it(`${row.name} → one fatal incident with its cause (--json)`, async () => {
      const { code, stdout, stderr } = await run([file(`${row.name.replace(/\W+/g, '-')}.cap`, row.capture()), '--json']);
      expect(code, stderr).to.equal(0);
      const incidents = stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
      const fatal = incidents.filter((i) => i.fatal === true);
      expect(fatal).to.have.length(1);
      expect(fatal[0]).to.deep.include({
        source: row.source,
        kind: 'KernelPanic',
        summary: 'Kernel panic - not syncing: Fatal exception',
        cause: { kind: 'KernelBug', summary: 'BUG: kernel NULL pointer dereference, address: 0000000000000000' },
        kernelRelease: '6.1.0-18-amd64',
        userdata: { node: 'worker-1' },
      });
      expect(fatal[0]?.lines).to.be.an('array').that.is.not.empty;
      expect(stderr).to.match(/read 6 frames, 6 UDP datagrams/);
    });
  }

  it('pcap timestamps (µs and ns) become the clock: openedAt equals the panic frame time', async () => {
    for (const nanos of [false, true]) {
      const { stdout } = await run([file(`clock-${nanos}.pcap`, writePcap(asRecords(v4), { linkType: LINKTYPE.IPV4, nanos })), '--json']);
      const panic = stdout.trim().split('\n').map((l) => JSON.parse(l) as { fatal: boolean; openedAt: string }).find((i) => i.fatal);
      expect(panic?.openedAt).to.equal(new Date(T0 + 40).toISOString());
    }
  });

  it('--port 9999 on a capture sent to 6666 → no incidents, datagrams skipped as other-port', async () => {
    const { code, stdout, stderr } = await run([file('port.pcap', writePcap(asRecords(v4), { linkType: LINKTYPE.IPV4 })), '--json', '--port', '9999']);
    expect(code).to.equal(0);
    expect(stdout).to.equal('');
    expect(stderr).to.match(/other-port=6/);
  });

  it('without --json → a readable report naming kind, cause and kernel', async () => {
    const { code, stdout } = await run([file('text.pcap', writePcap(asRecords(v4), { linkType: LINKTYPE.IPV4 }))]);
    expect(code).to.equal(0);
    expect(stdout).to.match(/KernelPanic \(fatal\) from 192\.0\.2\.10/);
    expect(stdout).to.include('cause:   KernelBug: BUG: kernel NULL pointer dereference');
    expect(stdout).to.include('kernel:  6.1.0-18-amd64');
  });

  it('pcap truncated in the middle of the 6th packet → the incidents read so far, an error naming the offset, exit 1', async () => {
    const whole = writePcap(asRecords(v4), { linkType: LINKTYPE.IPV4 });
    const cut = whole.subarray(0, whole.length - 10);
    const { code, stdout, stderr } = await run([file('cut.pcap', cut), '--json']);
    expect(code).to.equal(1);
    const lastRecordOffset = whole.length - 16 - (v4.at(-1)?.length ?? 0);
    expect(stderr).to.include(`truncated packet data (${v4.at(-1)?.length} bytes announced) at byte offset ${lastRecordOffset}`);
    expect(stdout.trim().split('\n').map((l) => (JSON.parse(l) as { kind: string }).kind)).to.include('KernelPanic');
  });

  it('pcapng with a corrupt block length → error naming the offset, exit 1', async () => {
    const capture = Buffer.from(writePcapng(asRecords(v4), [{ linkType: LINKTYPE.IPV4 }]));
    // Section header (28 bytes) + interface block (28 bytes): the first packet block starts at 56.
    capture.writeUInt32LE(0xfffffff0, 56 + 4);
    const { code, stderr } = await run([file('bad.pcapng', capture), '--json']);
    expect(code).to.equal(1);
    expect(stderr).to.match(/bad block length \d+ at byte offset 56/);
  });

  describe('frames whose time no Date can hold', () => {
    const MAX_U64 = 2n ** 64n - 1n;
    /** The panic capture on interface 0 (µs), except that frame 2 is on interface 1 with this time. */
    const withBadFrame2 = (bad: { tsresol?: number; tsoffset?: bigint; units: bigint }): Buffer => {
      const records = asRecords(v4).map((record, i) => (i === 1 ? { ...record, interfaceId: 1, units: bad.units } : record));
      const second = { linkType: LINKTYPE.IPV4, ...(bad.tsresol === undefined ? {} : { tsresol: bad.tsresol }), ...(bad.tsoffset === undefined ? {} : { tsoffset: bad.tsoffset }) };
      return writePcapng(records, [{ linkType: LINKTYPE.IPV4 }, second]);
    };
    const rows: { name: string; bad: { tsresol?: number; tsoffset?: bigint; units: bigint } }[] = [
      { name: 'if_tsresol 0 (seconds) and timestamp 2^64−1', bad: { tsresol: 0, units: MAX_U64 } },
      { name: 'if_tsoffset +2^62 s', bad: { tsoffset: 2n ** 62n, units: 1n } },
      { name: 'if_tsoffset −2^62 s', bad: { tsoffset: -(2n ** 62n), units: 1n } },
    ];
    for (const row of rows) {
      it(`${row.name} on frame 2 of 6 → frame 2 skipped and named, the other five replayed, exit 1`, async () => {
        for (const json of [true, false]) {
          const { code, stdout, stderr } = await run([file(`time-${row.name.replace(/\W+/g, '-')}.pcapng`, withBadFrame2(row.bad)), ...(json ? ['--json'] : [])]);
          expect(code, stderr).to.equal(1);
          const summary = json ? stderr : stdout;
          expect(summary).to.include('read 6 frames, 5 UDP datagrams');
          expect(summary).to.include('1 frame with no usable time (frame 2)');
          expect(stderr).to.match(/frame 2 \(byte offset \d+\) skipped: timestamp \d+ at \d+ units\/s with offset -?\d+ s is no representable time/);
          expect(json ? stdout : stdout).to.include('Kernel panic - not syncing: Fatal exception');
          expect(stderr).to.not.include('RangeError');
        }
      });
    }

    it('every frame of 30 unusable → the first 10 listed, the rest counted, exit 1', async () => {
      const records = Array.from({ length: 30 }, () => ({ timestampMs: 0, units: MAX_U64, data: v4[0] ?? Buffer.alloc(0) }));
      const { code, stdout, stderr } = await run([file('all-bad.pcapng', writePcapng(records, [{ linkType: LINKTYPE.IPV4, tsresol: 0 }]))]);
      expect(code).to.equal(1);
      expect(stdout).to.include('30 frames with no usable time (frames 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, …); 0 incidents');
      expect(stderr).to.include('20 more frames skipped for their time');
    });

    it('a panic without its trailer captured 1 s before the last time a Date holds → reported (closed after it, shown in ms), exit 0', async () => {
      const lastSecond = BigInt(8.64e12 - 1);
      const records = asRecords(v4.slice(0, -1)).map((record, i) => ({ ...record, units: lastSecond * 1_000_000n + BigInt(i) }));
      const capture = file('end-of-time.pcapng', writePcapng(records, [{ linkType: LINKTYPE.IPV4 }]));
      const json = await run([capture, '--json']);
      expect(json.code, json.stderr).to.equal(0);
      const panic = json.stdout.trim().split('\n').map((l) => JSON.parse(l) as { fatal: boolean; openedAt: string; closedAt: string }).find((i) => i.fatal);
      expect(panic?.openedAt).to.equal('+275760-09-12T23:59:59.000Z');
      expect(panic?.closedAt).to.match(/^8640000000001\d{3}(\.\d+)? ms since the epoch$/);
      const text = await run([capture]);
      expect(text.code).to.equal(0);
      expect(text.stdout).to.include('KernelPanic (fatal) from 192.0.2.10 at +275760-09-12T23:59:59.000Z');
    });
  });

  it('a valid pcapng with up to 8 random bytes overwritten → never throws, exits 0 or 1', async () => {
    const valid = writePcapng(asRecords(v4.map((p) => ethernet(p))), [{ linkType: LINKTYPE.ETHERNET, tsoffset: 0n }]);
    const path = join(dir, 'fuzzed.pcapng');
    const edit = fc.record({ at: fc.nat({ max: valid.length - 1 }), value: fc.integer({ min: 0, max: 255 }) });
    await fc.assert(
      fc.asyncProperty(fc.array(edit, { minLength: 1, maxLength: 8 }), fc.boolean(), async (edits, json) => {
        const capture = Buffer.from(valid);
        for (const e of edits) capture[e.at] = e.value;
        writeFileSync(path, capture);
        const { code } = await run([path, ...(json ? ['--json'] : [])]);
        return code === 0 || code === 1;
      }),
      { numRuns: 300 },
    );
  });

  it('a panic line with ESC, OSC, C1 CSI, DEL and invalid UTF-8 → the report shows escapes only, --json the exact text', async () => {
    // eslint-disable-next-line no-control-regex -- looking for control characters is the point
    const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;
    const text = Buffer.concat([
      Buffer.from('[   12.000000] Kernel panic - not syncing: \u001b]0;owned\u0007\u001b[2J'),
      Buffer.from([0xc2, 0x9b, 0x33, 0x31, 0x6d, 0x7f, 0xff, 0xc0, 0x9b, 0x0a]),
    ]);
    const capture = file('hostile.pcap', writePcap(asRecords([ipv4Udp({ source: '192.0.2.66', destination: '192.0.2.1', payload: text })]), { linkType: LINKTYPE.IPV4 }));
    const report = await run([capture]);
    expect(report.code).to.equal(0);
    expect(report.stdout).to.not.match(RAW_CONTROL);
    expect(report.stdout).to.include('summary: Kernel panic - not syncing: \\x1b]0;owned\\x07\\x1b[2J\\x9b31m\\x7f\ufffd\ufffd\ufffd');
    const json = await run([capture, '--json']);
    expect(json.stdout).to.not.match(RAW_CONTROL);
    const [incident] = json.stdout.trim().split('\n').map((l) => JSON.parse(l) as { summary: string });
    expect(incident?.summary).to.equal(text.toString('utf8').replace(/^\[ +12\.000000\] /, '').replace(/\n$/, ''));
  });

  it('not a capture at all → error at byte offset 0, exit 1', async () => {
    const { code, stderr } = await run([file('text.txt', Buffer.from('hello world, not a pcap')), '--json']);
    expect(code).to.equal(1);
    expect(stderr).to.match(/not a pcap or pcapng file .* at byte offset 0/);
  });

  it('missing file or bad flag → usage error, exit 2', async () => {
    expect((await run([join(dir, 'missing.pcap')])).code).to.equal(2);
    expect((await run(['--port', 'x', 'a.pcap'])).code).to.equal(2);
    expect((await run([])).code).to.equal(2);
  });

  // Captured from Debian's 6.1 kernel under QEMU (see fixtures/real-kernel/README.md).
  const realDir = new URL('../../fixtures/real-kernel/', import.meta.url);
  const sysrq = { summary: 'Kernel panic - not syncing: sysrq triggered crash', cause: null };
  const realCaptures: { file: string; fatal: { summary: string; cause: { kind: string; summary: RegExp } | null } | null; nonFatalKinds: string[] }[] = [
    { file: 'sysrq-panic-extended.pcap', fatal: sysrq, nonFatalKinds: [] },
    { file: 'sysrq-panic-extended-panic0.pcap', fatal: sysrq, nonFatalKinds: [] },
    { file: 'sysrq-panic-legacy.pcap', fatal: sysrq, nonFatalKinds: [] },
    { file: 'oom-panic.pcap', fatal: { summary: 'Kernel panic - not syncing: Out of memory: system-wide panic_on_oom is enabled', cause: null }, nonFatalKinds: [] },
    {
      file: 'hung-task-panic.pcap',
      fatal: { summary: 'Kernel panic - not syncing: hung_task: blocked tasks', cause: { kind: 'TaskHung', summary: /^INFO: task sh:\d+ blocked for more than \d+ seconds\.$/ } },
      nonFatalKinds: ['TaskHung'],
    },
    { file: 'userspace-fake-panic.pcap', fatal: null, nonFatalKinds: [] },
  ];
  // Captured from Debian 13's 6.12 and trixie-backports' 7.3 (nbcon netconsole) with release, userdata
  // node=capture-node and (7.3) sysdata msgid, cpu_nr, taskname: see fixtures/real-kernel/README.md.
  const hungTask = { kind: 'TaskHung', summary: /^INFO: task sh:\d+ blocked for more than \d+ seconds\.$/ };
  const newer: { file: string; release: string; fatal: { summary: string; cause: typeof hungTask | null; context: RegExp | null } | null; nonFatalKinds: string[] }[] = [
    { file: '6.12/sysrq-panic-extended.pcap', release: '6.12.117+deb13-amd64', fatal: { ...sysrq, context: null }, nonFatalKinds: [] },
    { file: '6.12/sysrq-panic-extended-panic0.pcap', release: '6.12.117+deb13-amd64', fatal: { ...sysrq, context: null }, nonFatalKinds: [] },
    { file: '6.12/hung-task-panic.pcap', release: '6.12.117+deb13-amd64', fatal: { summary: 'Kernel panic - not syncing: hung_task: blocked tasks', cause: hungTask, context: null }, nonFatalKinds: ['TaskHung'] },
    // nbcon: with kernel.panic=0 the panic and its call trace come in one burst from the final flush.
    { file: '7.3/sysrq-panic-extended-panic0.pcap', release: '7.3.4+deb13-amd64', fatal: { ...sysrq, context: /^\d+ sh$/ }, nonFatalKinds: [] },
    {
      file: '7.3/hung-task-panic-panic0.pcap',
      release: '7.3.4+deb13-amd64',
      fatal: { summary: 'Kernel panic - not syncing: hung_task: blocked tasks', cause: hungTask, context: /^\d+ khungtaskd$/ },
      nonFatalKinds: ['TaskHung'],
    },
    { file: '7.3/userspace-fake-panic.pcap', release: '7.3.4+deb13-amd64', fatal: null, nonFatalKinds: [] },
  ];
  for (const row of newer) {
    const expected = row.fatal === null ? 'no incident' : `one ${row.fatal.summary}${row.fatal.cause ? ` caused by ${row.fatal.cause.kind}` : ''}`;
    it(`real-kernel capture ${row.file} (${row.release}) → ${expected}, userdata node= and sysdata read`, async () => {
      const { code, stdout, stderr } = await run([new URL(row.file, realDir).pathname, '--json']);
      expect(code, stderr).to.equal(0);
      type Out = { fatal: boolean; kind: string; summary: string; cause: { kind: string; summary: string } | null; kernelRelease: string | null; userdata: Record<string, string> };
      const incidents = stdout.trim().split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Out);
      expect(incidents.filter((i) => !i.fatal).map((i) => i.kind)).to.deep.equal(row.nonFatalKinds);
      const fatal = incidents.filter((i) => i.fatal);
      if (row.fatal === null) {
        expect(fatal).to.have.length(0);
        return;
      }
      expect(fatal, 'recognised once').to.have.length(1);
      const [incident] = fatal;
      expect(incident?.summary).to.equal(row.fatal.summary);
      expect(incident?.kernelRelease).to.equal(row.release);
      expect(incident?.userdata.node).to.equal('capture-node');
      if (row.fatal.cause === null) expect(incident?.cause).to.equal(null);
      else {
        expect(incident?.cause?.kind).to.equal(row.fatal.cause.kind);
        expect(incident?.cause?.summary).to.match(row.fatal.cause.summary);
      }
      if (row.fatal.context === null) expect(incident?.userdata).to.not.have.property('cpu');
      else expect(`${incident?.userdata.cpu ?? ''} ${incident?.userdata.taskname ?? ''}`).to.match(row.fatal.context);
    });
  }

  for (const row of realCaptures) {
    const expected = row.fatal === null ? 'no incident' : `${row.fatal.summary}${row.fatal.cause ? ` caused by ${row.fatal.cause.kind}` : ''}`;
    it(`real-kernel capture ${row.file} → ${expected}`, async () => {
      const { code, stdout, stderr } = await run([new URL(row.file, realDir).pathname, '--json']);
      expect(code, stderr).to.equal(0);
      type Out = { fatal: boolean; kind: string; summary: string; cause: { kind: string; summary: string } | null; kernelRelease: string | null; lines: string[] };
      const incidents = stdout.trim().split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Out);
      const fatal = incidents.filter((i) => i.fatal);
      expect(incidents.filter((i) => !i.fatal).map((i) => i.kind)).to.deep.equal(row.nonFatalKinds);
      if (row.fatal === null) {
        expect(fatal).to.have.length(0);
        return;
      }
      expect(fatal).to.have.length(1);
      const [incident] = fatal;
      expect(incident?.kind).to.equal('KernelPanic');
      expect(incident?.summary).to.equal(row.fatal.summary);
      expect(incident?.kernelRelease).to.equal('6.1.0-56-amd64');
      expect(incident?.lines.some((l) => l.includes(row.fatal?.summary ?? '?'))).to.equal(true);
      if (row.fatal.cause === null) expect(incident?.cause).to.equal(null);
      else {
        expect(incident?.cause?.kind).to.equal(row.fatal.cause.kind);
        expect(incident?.cause?.summary).to.match(row.fatal.cause.summary);
      }
    });
  }
});

describe('decodeFrame', () => {
  const payload = Buffer.from('0,1,1,-;x\n');
  const rows: { name: string; linkType: number; frame: Buffer; expect: Record<string, unknown> }[] = [
    { name: 'IPv4 first fragment (MF set)', linkType: LINKTYPE.IPV4, frame: ipv4Udp({ source: '10.0.0.1', destination: '10.0.0.2', payload }, { offset: 0, more: true }), expect: { ok: true, partial: true } },
    { name: 'IPv4 later fragment', linkType: LINKTYPE.IPV4, frame: ipv4Udp({ source: '10.0.0.1', destination: '10.0.0.2', payload }, { offset: 185, more: false }), expect: { ok: false, reason: 'ip-fragment' } },
    { name: 'IPv6 hop-by-hop + routing + destination options', linkType: LINKTYPE.IPV6, frame: ipv6Udp({ source: '2001:db8::1', destination: '2001:db8::2', payload }, [0, 43, 60]), expect: { ok: true, source: '2001:db8::1' } },
    { name: 'IPv4 TCP', linkType: LINKTYPE.IPV4, frame: (() => { const p = ipv4Udp({ source: '10.0.0.1', destination: '10.0.0.2', payload }); p[9] = 6; return p; })(), expect: { ok: false, reason: 'not-udp' } },
    { name: 'ARP over Ethernet', linkType: LINKTYPE.ETHERNET, frame: Buffer.concat([Buffer.alloc(12), Buffer.from([0x08, 0x06]), Buffer.alloc(28)]), expect: { ok: false, reason: 'not-ip' } },
    { name: 'unknown link type 147', linkType: 147, frame: Buffer.alloc(40), expect: { ok: false, reason: 'unsupported-link-type' } },
    { name: 'truncated IPv4 header', linkType: LINKTYPE.RAW, frame: Buffer.from([0x45, 0, 0]), expect: { ok: false, reason: 'truncated' } },
    { name: 'BSD loopback (NULL) IPv6', linkType: LINKTYPE.NULL, frame: frameFor(LINKTYPE.NULL, ipv6Udp({ source: '::1', destination: '::1', payload })), expect: { ok: true, source: '::1' } },
    { name: 'IPv4-mapped IPv6 source', linkType: LINKTYPE.IPV6, frame: ipv6Udp({ source: '::ffff:a01:203', destination: '::1', payload }), expect: { ok: true, source: '::ffff:10.1.2.3' } },
  ];
  for (const row of rows) {
    it(`${row.name} → ${JSON.stringify(row.expect)}`, () => {
      expect(decodeFrame(row.linkType, row.frame)).to.deep.include(row.expect);
    });
  }
});

describe('readCapture', () => {
  it('a pcapng section with no packets yields nothing and does not throw', () => {
    expect([...readCapture(writePcapng([], [{ linkType: 1 }]))]).to.deep.equal([]);
  });
  it('pcapng timestamps 1, 2^64−1 (if_tsresol 0), 3 → a frame, an unusable frame naming its offset, a frame', () => {
    const records = [1n, 2n ** 64n - 1n, 3n].map((units) => ({ timestampMs: 0, units, data: Buffer.alloc(1) }));
    const entries = [...readCapture(writePcapng(records, [{ linkType: 101, tsresol: 0 }]))];
    expect(entries.map((e) => (isUnusable(e) ? `unusable at ${e.offset}` : e.timestampMs))).to.deep.equal([1000, 'unusable at 92', 3000]); // 28 + 28 + 36: SHB, IDB, the first EPB
  });

  it('pcapng if_tsresol 9 keeps ns timestamps to the ms', () => {
    const [frame] = [...readCapture(writePcapng([{ timestampMs: T0 + 0.5, data: Buffer.alloc(1) }], [{ linkType: 101, tsresol: 9 }]))];
    expect(frame !== undefined && !isUnusable(frame) ? frame.timestampMs : null).to.be.closeTo(T0 + 0.5, 0.001);
  });
});

describe('formatIpv6', () => {
  const rows: [string, string][] = [
    ['2001:0db8:0000:0000:0001:0000:0000:0001', '2001:db8::1:0:0:1'],
    ['0000:0000:0000:0000:0000:0000:0000:0001', '::1'],
    ['fe80:0000:0000:0000:0000:0000:0000:0000', 'fe80::'],
    ['2001:0db8:0000:0001:0001:0001:0001:0001', '2001:db8:0:1:1:1:1:1'],
    ['0000:0000:0000:0000:0000:ffff:0a01:0203', '::ffff:10.1.2.3'],
  ];
  for (const [full, text] of rows) {
    it(`${full} → ${text}`, () => {
      expect(formatIpv6(Buffer.from(full.replaceAll(':', ''), 'hex'))).to.equal(text);
    });
  }
});
