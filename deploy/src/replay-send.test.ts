// replay-send.mjs, the compose stack's panic sender: run as a child process against a real UDP socket
// on loopback, with captures written by the test.
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { createSocket } from 'node:dgram';
import type { Socket } from 'node:dgram';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readPcapUdp } from '../compose/replay-send.mjs';
import { LINKTYPE, ethernet, freePort, ipv4Udp, ipv6Udp, linuxSll2, waitFor, writePcap, type CaptureRecord } from '@lastgasp/testbed/testing';

const SCRIPT = fileURLToPath(new URL('../compose/replay-send.mjs', import.meta.url));
const T0 = 1_750_000_000_000;
const lines = ['0,380,9295100,-;sysrq: Trigger a crash', '0,382,9295222,-;Kernel panic - not syncing: sysrq triggered crash', '4,383,9295300,-;CPU: 0 PID: 1 Comm: sh'];

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [SCRIPT, ...args], { timeout: 60_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : null) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

interface Received {
  text: string;
  port: number;
}

async function listen(): Promise<{ socket: Socket; port: number; received: Received[] }> {
  const socket = createSocket('udp4');
  const received: Received[] = [];
  socket.on('message', (msg, rinfo) => received.push({ text: msg.toString('utf8'), port: rinfo.port }));
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return { socket, port: socket.address().port, received };
}

const udp4 = (sourcePort: number, destinationPort: number, payload: Buffer): Buffer =>
  ipv4Udp({ source: '192.0.2.1', destination: '192.0.2.2', sourcePort, destinationPort, payload });
const udp6 = (sourcePort: number, destinationPort: number, payload: Buffer): Buffer =>
  ipv6Udp({ source: '::1', destination: '::2', sourcePort, destinationPort, payload });
/** An IPv4 packet that carries TCP, not UDP: the sender skips it. */
function tcp4(): Buffer {
  const packet = udp4(1, 2, Buffer.alloc(12));
  packet[9] = 6;
  return packet;
}

const captures: Array<{ name: string; linkType: number; frames: CaptureRecord[]; expected: string[] }> = [
  {
    name: 'ethernet IPv4 with a VLAN tag, a TCP frame and a datagram to another port',
    linkType: LINKTYPE.ETHERNET,
    frames: [
      { timestampMs: T0, data: ethernet(udp4(6665, 6666, Buffer.from(lines[0] ?? ''))) },
      { timestampMs: T0 + 5, data: ethernet(tcp4()) },
      { timestampMs: T0 + 10, data: ethernet(udp4(5353, 5353, Buffer.from('mdns'))) },
      { timestampMs: T0 + 20, data: ethernet(udp4(6665, 6666, Buffer.from(lines[1] ?? '')), [7]) },
      // A 10 s gap in the capture, capped by --max-gap-ms.
      { timestampMs: T0 + 10_020, data: ethernet(udp4(6665, 6666, Buffer.from(lines[2] ?? ''))) },
    ],
    expected: lines,
  },
  {
    name: 'linux cooked v2 with IPv6',
    linkType: LINKTYPE.LINUX_SLL2,
    frames: lines.map((line, i) => ({ timestampMs: T0 + i, data: linuxSll2(udp6(6665, 6666, Buffer.from(line))) })),
    expected: lines,
  },
];

describe('deploy/compose/replay-send.mjs', function () {
  this.timeout(90_000);
  let dir = '';
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'replay-send-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  for (const capture of captures) {
    it(`sends the UDP payloads to --dest-port in order from --from-port: ${capture.name}`, async () => {
      const file = join(dir, `${capture.linkType}.pcap`);
      await writeFile(file, writePcap(capture.frames, { linkType: capture.linkType }));
      const sink = await listen();
      try {
        const fromPort = await freePort({ protocol: 'udp' });
        const result = await run([`--pcap=${file}`, `--to=127.0.0.1:${sink.port}`, `--from-port=${fromPort}`, '--dest-port=6666', '--max-gap-ms=50']);
        expect(result.code, result.stderr).to.equal(0);
        expect(result.stdout).to.contain(`sent ${capture.expected.length} datagrams`);
        await waitFor(`${capture.expected.length} datagrams`, () => sink.received.length >= capture.expected.length, {
          timeoutMs: 30_000,
          intervalMs: 20,
          describe: () => Promise.resolve(JSON.stringify(sink.received)),
        });
        expect(sink.received.map((r) => r.text)).to.deep.equal(capture.expected);
        expect(sink.received.every((r) => r.port === fromPort)).to.equal(true);
      } finally {
        sink.socket.close();
      }
    });
  }

  const failures: Array<{ name: string; bytes: Buffer; args: string[]; code: number; message: RegExp }> = [
    { name: 'a pcapng file', bytes: Buffer.from([0x0a, 0x0d, 0x0d, 0x0a, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]), args: [], code: 1, message: /pcapng is not supported/ },
    { name: 'a text file', bytes: Buffer.from('hello, this is not a capture at all'), args: [], code: 1, message: /not a pcap file/ },
    { name: 'a capture without datagrams to the port', bytes: writePcap([{ timestampMs: T0, data: ethernet(udp4(1, 2, Buffer.from('x'))) }], { linkType: LINKTYPE.ETHERNET }), args: ['--dest-port=6666'], code: 1, message: /no UDP datagrams to port 6666/ },
    { name: 'a --to without a port', bytes: writePcap([], { linkType: LINKTYPE.ETHERNET }), args: ['--to=collector'], code: 2, message: /expected HOST:PORT/ },
  ];
  for (const failure of failures) {
    it(`exits ${failure.code} naming the problem: ${failure.name}`, async () => {
      const file = join(dir, 'bad.pcap');
      await writeFile(file, failure.bytes);
      const result = await run([`--pcap=${file}`, '--to=127.0.0.1:9', ...failure.args]);
      expect(result.code).to.equal(failure.code);
      expect(result.stderr).to.match(failure.message);
    });
  }

  it('keeps the datagrams before a truncated last record', () => {
    const whole = writePcap(lines.map((line, i) => ({ timestampMs: T0 + i, data: ethernet(udp4(6665, 6666, Buffer.from(line))) })), { linkType: LINKTYPE.ETHERNET });
    const datagrams = readPcapUdp(whole.subarray(0, whole.length - 5));
    expect(datagrams.map((d) => d.payload.toString())).to.deep.equal(lines.slice(0, 2));
    expect(datagrams[1]?.atMs).to.equal(T0 + 1);
  });
});
