import { expect } from 'chai';
import { createSocket, type SocketType } from 'node:dgram';
import type { Datagram } from '../types.js';
import { startUdpListener, type UdpListener } from './udp-listener.js';

const logger = { info: () => undefined, warn: () => undefined };

async function waitFor<T>(what: string, probe: () => T | undefined, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  while (Date.now() < deadline) {
    last = probe();
    if (last !== undefined) return last;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`timed out waiting for ${what}; last seen: ${JSON.stringify(last)}`);
}

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

describe('startUdpListener on real sockets', () => {
  const received: Datagram[] = [];
  let listener: UdpListener;

  before(async () => {
    listener = await startUdpListener({ host: '::', port: 0, onDatagram: (d) => received.push(d), logger });
  });
  after(async () => {
    await listener.close();
  });
  beforeEach(() => {
    received.length = 0;
  });

  it('[::]:0 reports its bound address and a granted receive buffer', () => {
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
      await waitFor('50 datagrams', () => (received.length >= 50 ? received.length : undefined));
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
    const v4 = await startUdpListener({ host: '127.0.0.1', port: 0, onDatagram: (d) => got.push(d), logger, recvBufferBytes: 1 << 20 });
    try {
      expect(v4.addresses[0]).to.match(/^127\.0\.0\.1:\d+$/);
      await send('udp4', '127.0.0.1', portOf(v4), [Buffer.from('hello')]);
      await waitFor('one datagram', () => got[0]);
      expect(got[0]?.payload.toString()).to.equal('hello');
    } finally {
      await v4.close();
    }
  });

  it('a handler that throws is counted and receiving continues', async () => {
    let calls = 0;
    const flaky = await startUdpListener({
      host: '127.0.0.1',
      port: 0,
      logger,
      onDatagram: () => {
        calls++;
        if (calls === 1) throw new Error('bug');
      },
    });
    try {
      await send('udp4', '127.0.0.1', portOf(flaky), [Buffer.from('a'), Buffer.from('b')]);
      await waitFor('two handler calls', () => (calls >= 2 ? calls : undefined));
      expect(flaky.stats().handlerErrors).to.equal(1);
    } finally {
      await flaky.close();
    }
  });
});
