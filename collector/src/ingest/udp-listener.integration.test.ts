import { waitFor } from '@lastgasp/testbed/testing';
import { expect } from 'chai';
import { createSocket, type SocketType } from 'node:dgram';
import type { Datagram } from '../types.js';
import { QUEUED_DATAGRAM_OVERHEAD_BYTES, startUdpListener, type UdpListener } from './udp-listener.js';

const logger = { info: () => undefined, warn: () => undefined };

/** Datagrams on loopback arrive within milliseconds; poll often, allow a loaded machine 20 s. */
const SOON = { timeoutMs: 20_000, intervalMs: 20 };

async function send(type: SocketType, address: string, port: number, payloads: Buffer[]): Promise<number> {
  const socket = createSocket(type);
  try {
    await new Promise<void>((resolve) => socket.bind(0, resolve));
    for (const payload of payloads) {
      await new Promise<void>((resolve, reject) => socket.send(payload, port, address, (err) => (err ? reject(err) : resolve())));
    }
    return socket.address().port;
  } finally {
    socket.close();
  }
}

function portOf(listener: UdpListener): number {
  return Number(listener.addresses[0]?.split(':').at(-1));
}

// Every case runs on both receive paths; `native` fails (does not skip) when the addon is not built.
function listenerCases(receiver: 'native' | 'dgram'): void {
  const received: Datagram[] = [];
  let listener: UdpListener;

  before(async () => {
    listener = await startUdpListener({ host: '::', port: 0, onDatagram: (d) => received.push(d), logger, receiver });
  });
  after(async () => {
    await listener.close();
  });
  beforeEach(() => {
    received.length = 0;
  });

  it(`[::]:0 reports its bound address, a granted receive buffer and receiver ${receiver}`, () => {
    expect(listener.receiver).to.equal(receiver);
    expect(listener.addresses).to.have.length(1);
    expect(listener.addresses[0]).to.match(/^\[::\]:\d+$/);
    expect(portOf(listener)).to.be.greaterThan(0);
    expect(listener.grantedRecvBufferBytes).to.be.greaterThan(0);
  });

  const rows: { name: string; type: SocketType; to: string; source: string }[] = [
    { name: 'IPv4 loopback (127.0.0.1) arrives with a plain IPv4 source', type: 'udp4', to: '127.0.0.1', source: '127.0.0.1' },
    { name: 'IPv6 loopback (::1) arrives with an IPv6 source', type: 'udp6', to: '::1', source: '::1' },
  ];
  for (const row of rows) {
    it(row.name, async () => {
      const payloads = Array.from({ length: 50 }, (_, i) => Buffer.from(`0,${i},${i * 10},-;line ${i}\n`));
      const before = listener.stats().datagrams;
      const sourcePort = await send(row.type, row.to, portOf(listener), payloads);
      await waitFor('50 datagrams', () => (received.length >= 50 ? received.length : undefined), SOON);
      expect(received.map((d) => d.payload.toString())).to.deep.equal(payloads.map((p) => p.toString()));
      expect(received.every((d) => d.source === row.source && d.sourcePort === sourcePort)).to.equal(true);
      expect(received.every((d) => Math.abs(d.receivedAt - Date.now()) < 60_000)).to.equal(true);
      const stats = listener.stats();
      expect(stats.datagrams - before).to.equal(50);
      expect(stats.topSources.map((s) => s.source)).to.include(row.source);
    });
  }

  it('an IPv4-only listener on 127.0.0.1:0 receives IPv4', async () => {
    const got: Datagram[] = [];
    const v4 = await startUdpListener({ host: '127.0.0.1', port: 0, onDatagram: (d) => got.push(d), logger, recvBufferBytes: 1 << 20, receiver });
    try {
      expect(v4.addresses[0]).to.match(/^127\.0\.0\.1:\d+$/);
      await send('udp4', '127.0.0.1', portOf(v4), [Buffer.from('hello')]);
      await waitFor('one datagram', () => got[0], SOON);
      expect(got[0]?.payload.toString()).to.equal('hello');
    } finally {
      await v4.close();
    }
  });

  it('an IPv6-only listener on [::1]:0 receives IPv6', async () => {
    const got: Datagram[] = [];
    const v6 = await startUdpListener({ host: '::1', port: 0, onDatagram: (d) => got.push(d), logger, recvBufferBytes: 1 << 20, receiver });
    try {
      expect(v6.addresses[0]).to.match(/^\[::1\]:\d+$/);
      await send('udp6', '::1', portOf(v6), [Buffer.from('six')]);
      await waitFor('one datagram', () => got[0], SOON);
      expect(got[0]?.payload.toString()).to.equal('six');
      expect(got[0]?.source).to.equal('::1');
      expect(v6.stats().bytes).to.equal(3);
    } finally {
      await v6.close();
    }
  });

  it('datagrams arriving while the handler is busy, beyond maxQueueBytes → dropped and counted, the queue within its bytes', async () => {
    const sender = createSocket('udp4');
    await new Promise<void>((resolve) => sender.bind(0, '127.0.0.1', resolve));
    const got: string[] = [];
    let peakQueuedBytes = 0;
    const payload = (i: number): Buffer => Buffer.from(`${i}`.padEnd(100, '.'));
    const perDatagram = 100 + QUEUED_DATAGRAM_OVERHEAD_BYTES;
    const small = await startUdpListener({
      host: '127.0.0.1',
      port: 0,
      logger,
      receiver,
      maxQueueBytes: 5 * perDatagram,
      onDatagram: (d) => {
        got.push(d.payload.toString());
        peakQueuedBytes = Math.max(peakQueuedBytes, small.stats().queuedBytes);
        // While the first is handled, 19 more reach the socket; the next receive queues them at once.
        if (got.length === 1) for (let i = 1; i < 20; i++) sender.send(payload(i), portOf(small), '127.0.0.1');
      },
    });
    try {
      sender.send(payload(0), portOf(small), '127.0.0.1');
      await waitFor('20 datagrams received', () => (small.stats().datagrams >= 20 ? true : undefined));
      await waitFor('queue drained', () => (small.stats().queued === 0 ? true : undefined));
      const stats = small.stats();
      expect(stats.queueDropped).to.be.at.least(10);
      expect(got.length + stats.queueDropped).to.equal(20);
      expect(peakQueuedBytes).to.be.at.most(5 * perDatagram);
      expect(stats.queuedBytes).to.equal(0);
    } finally {
      sender.close();
      await small.close();
    }
  });

  it('a handler that throws is counted and receiving continues', async () => {
    let calls = 0;
    const flaky = await startUdpListener({
      host: '127.0.0.1',
      port: 0,
      logger,
      receiver,
      onDatagram: () => {
        calls++;
        if (calls === 1) throw new Error('bug');
      },
    });
    try {
      await send('udp4', '127.0.0.1', portOf(flaky), [Buffer.from('a'), Buffer.from('b')]);
      await waitFor('two handler calls', () => (calls >= 2 ? calls : undefined), SOON);
      expect(flaky.stats().handlerErrors).to.equal(1);
    } finally {
      await flaky.close();
    }
  });
}

for (const receiver of ['native', 'dgram'] as const) {
  describe(`startUdpListener on real sockets (receiver ${receiver})`, () => listenerCases(receiver));
}

describe('startUdpListener receiver choice', () => {
  const rows: { name: string; host: string; receiver: 'auto' | 'native'; expect: 'native' | 'dgram' | Error }[] = [
    { name: 'auto on 127.0.0.1 takes the built addon', host: '127.0.0.1', receiver: 'auto', expect: 'native' },
    { name: 'auto on host name localhost falls back to node:dgram', host: 'localhost', receiver: 'auto', expect: 'dgram' },
    { name: 'native on host name localhost fails naming the host', host: 'localhost', receiver: 'native', expect: new Error('"localhost" is not an IP address literal') },
  ];
  for (const row of rows) {
    it(row.name, async () => {
      const infos: string[] = [];
      const options = {
        host: row.host,
        port: 0,
        receiver: row.receiver,
        onDatagram: () => undefined,
        logger: { info: (_: object, message: string) => infos.push(message), warn: () => undefined },
      };
      if (row.expect instanceof Error) {
        let failure: unknown = null;
        await startUdpListener(options).then((l) => l.close(), (err: unknown) => (failure = err));
        expect(String(failure)).to.include(row.expect.message);
        return;
      }
      const listener = await startUdpListener(options);
      try {
        expect(listener.receiver).to.equal(row.expect);
        expect(infos.some((m) => m.includes('node:dgram'))).to.equal(row.expect === 'dgram');
      } finally {
        await listener.close();
      }
    });
  }
});
