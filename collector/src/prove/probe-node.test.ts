// Real sockets on loopback: a listener on port 0 answers with a handshake, a closed port with an RST.
// The silent drop (a dead node) needs a namespace of its own: probe-node.integration.test.ts.
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { expect } from 'chai';
import { connectOnce, outcomeOfErrorCode } from './connect-once.js';
import { probeNode, PROBE_DEFAULTS } from './probe-node.js';

function listen(host: string): Promise<{ server: Server; port: number; accepted: Socket[] }> {
  const accepted: Socket[] = [];
  const server = createServer((socket) => {
    accepted.push(socket);
    socket.on('error', () => undefined); // the probe resets the connection
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => resolve({ server, port: (server.address() as AddressInfo).port, accepted }));
  });
}

/** A loopback port with nothing listening: bound, then closed. */
async function closedPort(host: string): Promise<number> {
  const { server, port } = await listen(host);
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

describe('outcomeOfErrorCode', () => {
  const cases: [string | undefined, string][] = [
    ['ECONNREFUSED', 'refused'],
    ['ETIMEDOUT', 'timeout'],
    ['EHOSTUNREACH', 'unreachable'],
    ['ENETUNREACH', 'unreachable'],
    ['EHOSTDOWN', 'unreachable'],
    ['ENETDOWN', 'unreachable'],
    ['EADDRNOTAVAIL', 'error'],
    ['EMFILE', 'error'],
    [undefined, 'error'],
  ];
  for (const [code, want] of cases) it(`${code ?? 'no code'} → ${want}`, () => expect(outcomeOfErrorCode(code)).to.equal(want));
});

describe('connectOnce (loopback)', () => {
  it('a listener → connected, and the connection is reset at once', async () => {
    const { server, port, accepted } = await listen('127.0.0.1');
    try {
      const a = await connectOnce({ address: '127.0.0.1', port, timeoutMs: 1000, now: Date.now });
      expect(a.outcome).to.equal('connected');
      expect(a.settledAt - a.sentAt).to.be.lessThan(1000);
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(accepted).to.have.length(1);
      expect(accepted[0]?.destroyed || accepted[0]?.readableEnded).to.equal(true);
    } finally {
      await close(server);
    }
  });

  it('a closed port → refused, no code', async () => {
    const port = await closedPort('127.0.0.1');
    const a = await connectOnce({ address: '127.0.0.1', port, timeoutMs: 1000, now: Date.now });
    expect(a).to.include({ address: '127.0.0.1', port, outcome: 'refused' });
    expect(a.code).to.equal(undefined);
  });

  it('a host name is refused before any lookup', () => {
    expect(() => connectOnce({ address: 'localhost', port: 1, timeoutMs: 10, now: Date.now })).to.throw(TypeError, /not an IP address/);
  });

  it('an aborted signal rejects with its reason', async () => {
    const port = await closedPort('127.0.0.1');
    const reason = new Error('stopping');
    await connectOnce({ address: '127.0.0.1', port, timeoutMs: 10, now: Date.now, signal: AbortSignal.abort(reason) }).then(
      () => expect.fail('resolved'),
      (err: unknown) => expect(err).to.equal(reason),
    );
  });
});

describe('probeNode (loopback)', () => {
  it('IPv4 listener → alive, connection accepted, after the first attempt', async () => {
    const { server, port } = await listen('127.0.0.1');
    try {
      const started = Date.now();
      const v = await probeNode({ ...PROBE_DEFAULTS, addresses: ['127.0.0.1'], port, answersCountAfter: started });
      expect(v.verdict).to.equal('alive');
      expect(v.summary).to.match(/^127\.0\.0\.1:\d+ answered \(connection accepted\) \d+ ms after the last gasp was over$/);
      expect(v.attempts).to.have.length(1);
      expect(Date.now() - started, 'the first answer ends the probe').to.be.lessThan(PROBE_DEFAULTS.windowMs / 2);
    } finally {
      await close(server);
    }
  });

  it('IPv6 closed port → alive, connection refused', async () => {
    const port = await closedPort('::1');
    const v = await probeNode({ ...PROBE_DEFAULTS, addresses: ['::1'], port, answersCountAfter: Date.now(), panicAt: Date.now() - 3 });
    expect(v.verdict).to.equal('alive');
    expect(v.summary).to.match(/^\[::1\]:\d+ answered \(connection refused\) \d+ ms after the panic line$/);
  });

  it('two addresses, one answering → alive from the first round', async () => {
    const port = await closedPort('127.0.0.1');
    const v = await probeNode({ ...PROBE_DEFAULTS, addresses: ['127.0.0.1', '::1'], port, answersCountAfter: Date.now() });
    expect(v.verdict).to.equal('alive');
    expect(v.attempts.every((a) => a.sentAt - (v.attempts[0]?.sentAt ?? 0) < 50)).to.equal(true);
  });

  it('sends nothing before answersCountAfter', async () => {
    const port = await closedPort('127.0.0.1');
    const after = Date.now() + 150;
    const v = await probeNode({ ...PROBE_DEFAULTS, addresses: ['127.0.0.1'], port, answersCountAfter: after });
    expect(v.verdict).to.equal('alive');
    expect(v.attempts[0]?.sentAt).to.be.at.least(after);
  });

  it('no addresses → inconclusive without sending anything', async () => {
    const v = await probeNode({ ...PROBE_DEFAULTS, addresses: [], port: 10250, answersCountAfter: Date.now() });
    expect(v).to.deep.include({ verdict: 'inconclusive', summary: 'no address to probe' });
    expect(v.attempts).to.deep.equal([]);
  });

  it('aborting while waiting for answersCountAfter rejects with the reason and sends nothing', async () => {
    const controller = new AbortController();
    const reason = new Error('leadership lost');
    const started = Date.now();
    const probing = probeNode({ ...PROBE_DEFAULTS, addresses: ['127.0.0.1'], port: 1, answersCountAfter: started + 5000, signal: controller.signal });
    setTimeout(() => controller.abort(reason), 20);
    await probing.then(
      () => expect.fail('resolved'),
      (err: unknown) => expect(err).to.equal(reason),
    );
    expect(Date.now() - started).to.be.lessThan(1000);
  });

  const invalid: [string, Partial<Parameters<typeof probeNode>[0]>, RegExp][] = [
    ['0 attempts', { attempts: 0 }, /attempts must be an integer ≥ 1/],
    ['a negative window', { windowMs: -1 }, /windowMs must be ≥ 0/],
    ['no attempt timeout', { attemptTimeoutMs: 0 }, /attemptTimeoutMs must be > 0/],
    ['a host name', { addresses: ['node-1.example'] }, /not IP addresses/],
  ];
  for (const [name, override, message] of invalid) {
    it(`rejects ${name}`, async () => {
      await probeNode({ ...PROBE_DEFAULTS, addresses: ['127.0.0.1'], port: 1, answersCountAfter: 0, ...override }).then(
        () => expect.fail('resolved'),
        (err: unknown) => expect((err as Error).message).to.match(message),
      );
    });
  }
});
