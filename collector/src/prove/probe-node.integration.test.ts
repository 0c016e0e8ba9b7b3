// Proof of death against real kernels' answers: node addresses from the test bed's address pool (a
// namespace of the test's own) answer like live nodes (RST) and, once killed, stay silent like dead
// ones. Needs root for the namespace.
import { assertRoutesStayLocal, createNodeAddressPool, type NodeAddressPool, type NodeAddressSet } from '@lastgasp/testbed/cluster';
import { expect } from 'chai';
import { probeNode, PROBE_DEFAULTS } from './probe-node.js';
import { createReachabilityCheck } from './reachability-check.js';
import { startReachabilityLoop } from './reachability-loop.js';

const PORT = 10250;

function tcpSockets(): number {
  return process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap').length;
}

describe('proof of death against live and killed node addresses', function () {
  this.timeout(60_000);
  let pool: NodeAddressPool;

  before(async () => {
    pool = await createNodeAddressPool();
  });
  after(async () => {
    await pool.remove();
  });

  async function node(): Promise<NodeAddressSet> {
    const n = pool.allocate();
    await assertRoutesStayLocal(n.all);
    return n;
  }

  it('a live node (IPv4 + IPv6) → alive, refused, from the first round', async () => {
    const n = await node();
    const started = Date.now();
    const v = await probeNode({ ...PROBE_DEFAULTS, addresses: n.all, port: PORT, answersCountAfter: started, panicAt: started - 5 });
    expect(v.verdict).to.equal('alive');
    expect(v.summary).to.match(/answered \(connection refused\) \d+ ms after the panic line$/);
    expect(Date.now() - started).to.be.lessThan(150);
  });

  it('a killed node (IPv4 + IPv6) → dead after 3 silent attempts each over at least 400 ms', async () => {
    const n = await node();
    await pool.kill(...n.all);
    const started = Date.now();
    const v = await probeNode({ ...PROBE_DEFAULTS, addresses: n.all, port: PORT, answersCountAfter: started });
    const tookMs = Date.now() - started;
    expect(v.verdict, v.summary).to.equal('dead');
    expect(v.summary).to.equal(`no answer from ${n.ipv4}:${PORT} or [${n.ipv6 ?? ''}]:${PORT} in 3 attempts each over ${v.summary.match(/over (\d+) ms/)?.[1] ?? '?'} ms`);
    expect(v.attempts).to.have.length(6);
    expect(v.attempts.every((a) => a.outcome === 'timeout' && a.settledAt - a.sentAt >= PROBE_DEFAULTS.attemptTimeoutMs - 1)).to.equal(true);
    const sent = v.attempts.map((a) => a.sentAt);
    expect(Math.max(...sent) - Math.min(...sent)).to.be.at.least(PROBE_DEFAULTS.windowMs);
    expect(tookMs).to.be.at.least(PROBE_DEFAULTS.windowMs + PROBE_DEFAULTS.attemptTimeoutMs);
    expect(tookMs).to.be.lessThan(PROBE_DEFAULTS.windowMs + PROBE_DEFAULTS.attemptTimeoutMs + 500);
  });

  it('a clock that moves on between reads (1 ms per read) still gives silence spanning the whole window', async () => {
    const n = await node();
    await pool.kill(...n.all);
    let reads = 0;
    const now = (): number => Date.now() + reads++;
    const v = await probeNode({ ...PROBE_DEFAULTS, addresses: n.all, port: PORT, answersCountAfter: now(), now });
    expect(v.verdict, v.summary).to.equal('dead');
    for (const address of n.all) {
      const sent = v.attempts.filter((a) => a.address === address).map((a) => a.sentAt);
      expect(Math.max(...sent) - Math.min(...sent), address).to.be.at.least(PROBE_DEFAULTS.windowMs);
    }
  });

  it('IPv4 killed, IPv6 still answering → alive', async () => {
    const n = await node();
    await pool.kill(n.ipv4);
    const v = await probeNode({ ...PROBE_DEFAULTS, addresses: n.all, port: PORT, answersCountAfter: Date.now() });
    expect(v.verdict).to.equal('alive');
    expect(v.summary).to.match(/^\[.*\]:10250 answered \(connection refused\)/);
  });

  it('silent for the first round, answering by the second (a lost SYN, not a death) → alive', async () => {
    const n = await node();
    await pool.kill(n.ipv4);
    const started = Date.now();
    const probing = probeNode({ ...PROBE_DEFAULTS, addresses: [n.ipv4], port: PORT, answersCountAfter: started });
    await new Promise((resolve) => setTimeout(resolve, 100));
    await pool.revive(n.ipv4);
    const v = await probing;
    expect(v.verdict).to.equal('alive');
    // Round 0 (killed) was still waiting when round 1's RST arrived: it was dropped, not recorded.
    expect(v.attempts.map((a) => a.outcome)).to.deep.equal(['refused']);
    expect(v.attempts[0]?.sentAt).to.be.at.least(started + PROBE_DEFAULTS.windowMs / 2);
  });

  it('ICMP host unreachable → inconclusive, never dead', async () => {
    const n = await node();
    await pool.unreachable(n.ipv4);
    const v = await probeNode({ attempts: 1, windowMs: 0, attemptTimeoutMs: 2500, addresses: [n.ipv4], port: PORT, answersCountAfter: Date.now() });
    expect(v.verdict).to.equal('inconclusive');
    expect(v.summary).to.equal(`${n.ipv4}:${PORT} unreachable (EHOSTUNREACH): a dead node and a broken path look alike`);
  });

  it('aborting during silence rejects at once and leaves no socket behind', async () => {
    const n = await node();
    await pool.kill(...n.all);
    const socketsBefore = tcpSockets();
    const controller = new AbortController();
    const reason = new Error('collector stopping');
    const probing = probeNode({ ...PROBE_DEFAULTS, addresses: n.all, port: PORT, answersCountAfter: Date.now(), signal: controller.signal });
    await new Promise((resolve) => setTimeout(resolve, 100));
    const abortedAt = Date.now();
    controller.abort(reason);
    await probing.then(
      () => expect.fail('resolved'),
      (err: unknown) => expect(err).to.equal(reason),
    );
    expect(Date.now() - abortedAt).to.be.lessThan(50);
    // A destroyed socket's handle closes on the next turns of the event loop.
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(tcpSockets()).to.equal(socketsBefore);
  });

  it('the reachability loop marks answering nodes provable and killed ones silent', async () => {
    const live = await node();
    const dead = await node();
    await pool.kill(...dead.all);
    const check = createReachabilityCheck({ maxChecksPerSecond: 20, maxBatch: 5 });
    const targets = [
      { node: 'live', addresses: live.all, port: PORT },
      { node: 'dead', addresses: dead.all, port: PORT },
    ];
    let checks = 0;
    const loop = startReachabilityLoop({
      check,
      readyTargets: () => targets,
      attemptTimeoutMs: 250,
      tickMs: 50,
      onChecked: () => checks++,
      onError: (err) => expect.fail(String(err)),
    });
    try {
      const deadline = Date.now() + 5000;
      while (checks < 2 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    } finally {
      await loop.stop();
    }
    const at = Date.now() + 1;
    expect(check.summary(at)).to.include({ ready: 2, checked: 2, answering: 1, silent: 1 });
    expect(check.canProve('live', at)).to.equal(true);
    expect(check.provability('dead', at).reason).to.match(/never answered/);
  });
});
