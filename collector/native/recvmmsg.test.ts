import { expect } from 'chai';
import { createSocket, type Socket } from 'node:dgram';
import { formatIPv6, loadBatchReceiver, type BatchSocket } from './recvmmsg.js';

interface Received {
  payload: string;
  source: string;
  sourcePort: number;
}

function sendFrom(type: 'udp4' | 'udp6', from: string, to: string, port: number, payloads: Buffer[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket: Socket = createSocket(type);
    socket.once('error', reject);
    socket.bind(0, from, () => {
      const sourcePort = socket.address().port;
      let left = payloads.length;
      for (const p of payloads) {
        socket.send(p, port, to, (err) => {
          if (err) reject(err);
          if (--left === 0) socket.close(() => resolve(sourcePort));
        });
      }
    });
  });
}

async function receiveUntil(received: Received[], count: number, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (received.length < count) {
    if (Date.now() > deadline) throw new Error(`received ${received.length} of ${count} datagrams`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('native batch receiver (recvmmsg)', () => {
  const receiver = loadBatchReceiver();
  before(function () {
    // The addon is optional; this suite says so rather than passing silently when it is not built.
    if (receiver === null) throw new Error('recvmmsg.node is not built: run collector/native/build.sh');
  });

  const cases: { name: string; listen: string; ipv6Only: boolean; type: 'udp4' | 'udp6'; from: string; to: string; expectSource: string; sizes: number[] }[] = [
    { name: 'IPv4 listener, datagrams from 127.1.0.7 of 1, 120 and 1000 bytes', listen: '127.0.0.1', ipv6Only: false, type: 'udp4', from: '127.1.0.7', to: '127.0.0.1', expectSource: '127.1.0.7', sizes: [1, 120, 1000] },
    { name: 'IPv6 listener on ::1, datagram from ::1', listen: '::1', ipv6Only: true, type: 'udp6', from: '::1', to: '::1', expectSource: '::1', sizes: [64] },
    { name: 'dual-stack listener on ::, IPv4 sender shows as IPv4', listen: '::', ipv6Only: false, type: 'udp4', from: '127.0.0.1', to: '127.0.0.1', expectSource: '127.0.0.1', sizes: [10, 20] },
    { name: '500 datagrams in one burst arrive complete and in order', listen: '127.0.0.1', ipv6Only: false, type: 'udp4', from: '127.0.0.1', to: '127.0.0.1', expectSource: '127.0.0.1', sizes: Array.from({ length: 500 }, (_, i) => 50 + (i % 200)) },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const received: Received[] = [];
      let socket: BatchSocket | null = null;
      try {
        socket = receiver?.open({
          host: c.listen,
          port: 0,
          recvBufferBytes: 4 << 20,
          ipv6Only: c.ipv6Only,
          onDatagram: (payload, source, sourcePort) => received.push({ payload: payload.toString('latin1'), source, sourcePort }),
        }) ?? null;
        expect(socket?.port).to.be.greaterThan(0);
        const payloads = c.sizes.map((size, i) => Buffer.alloc(size, String.fromCharCode(97 + (i % 26))));
        const sourcePort = await sendFrom(c.type, c.from, c.to, socket?.port ?? 0, payloads);
        await receiveUntil(received, payloads.length);
        expect(received.map((r) => r.payload)).to.deep.equal(payloads.map((p) => p.toString('latin1')));
        expect(new Set(received.map((r) => r.source))).to.deep.equal(new Set([c.expectSource]));
        expect(new Set(received.map((r) => r.sourcePort))).to.deep.equal(new Set([sourcePort]));
      } finally {
        socket?.close();
      }
    });
  }

  it('binding a port already in use throws EADDRINUSE', () => {
    const first = receiver?.open({ host: '127.0.0.1', port: 0, recvBufferBytes: 1 << 20, onDatagram: () => undefined });
    try {
      expect(() => receiver?.open({ host: '127.0.0.1', port: first?.port ?? 0, recvBufferBytes: 1 << 20, onDatagram: () => undefined }))
        .to.throw(/EADDRINUSE|in use/);
    } finally {
      first?.close();
    }
  });

  it('a host that is no address literal throws', () => {
    expect(() => receiver?.open({ host: 'localhost', port: 0, recvBufferBytes: 1 << 20, onDatagram: () => undefined })).to.throw(/address/);
  });
});

describe('formatIPv6', () => {
  const cases: [string, [number, number, number, number], string][] = [
    ['loopback', [0, 0, 0, 1], '::1'],
    ['unspecified', [0, 0, 0, 0], '::'],
    ['IPv4-mapped', [0, 0, 0xffff, 0x7f010007], '127.1.0.7'],
    ['documentation prefix with a zero run in the middle', [0x20010db8, 0, 0, 0x00000001], '2001:db8::1'],
    ['one zero group is not compressed', [0x20010db8, 0x00000001, 0x00010001, 0x00010001], '2001:db8:0:1:1:1:1:1'],
    ['the first of two equal zero runs is compressed', [0x20010000, 0x00000001, 0x00010000, 0x00000001], '2001::1:1:0:0:1'],
  ];
  for (const [name, words, text] of cases) {
    it(`${name} → ${text}`, () => expect(formatIPv6(...words)).to.equal(text));
  }
});
