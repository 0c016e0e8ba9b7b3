import { expect } from 'chai';
import { createDeathProofs, type DeathProofsOptions } from './death-proofs.js';
import type { DeathVerdict } from './death-verdict.js';
import type { ProbeNodeOptions } from './probe-node.js';

const DEAD: DeathVerdict = { verdict: 'dead', summary: 'silence', attempts: [] };
const SETTINGS = { port: null, attempts: 3, windowMs: 400, attemptTimeoutMs: 250, settleMs: 300 };

function setup(over: Partial<DeathProofsOptions> = {}) {
  const probes: ProbeNodeOptions[] = [];
  let t = 10_000;
  const proofs = createDeathProofs({
    settings: SETTINGS,
    target: (node) => (node === 'w1' ? { node, addresses: ['10.0.0.1'], port: 10250 } : null),
    provability: () => ({ provable: true, reason: 'answered the self-check 2 min ago' }),
    probe: (o) => {
      probes.push(o);
      return Promise.resolve(DEAD);
    },
    now: () => t,
    keepMs: 600_000,
    ...over,
  });
  return { proofs, probes, advance: (ms: number) => (t += ms) };
}

describe('createDeathProofs', () => {
  it('the end-of-panic line among the first lines → probes at once, answers counting from now', async () => {
    const { proofs, probes } = setup();
    proofs.start({ name: 'r1', node: 'w1', source: '10.0.0.1', detectedAt: 10_000, lines: ['Kernel panic - not syncing: x', '---[ end Kernel panic - not syncing: x ]---'] });
    expect(await proofs.verdictOf('r1')).to.equal(DEAD);
    expect(probes.map((p) => [p.addresses, p.port, p.answersCountAfter, p.panicAt])).to.deep.equal([[['10.0.0.1'], 10250, 10_000, 10_000]]);
    proofs.stop();
  });

  it('the end-of-panic line arriving later → answers count from its arrival', async () => {
    const { proofs, probes, advance } = setup();
    proofs.start({ name: 'r1', node: 'w1', source: '10.0.0.1', detectedAt: 10_000, lines: ['Kernel panic - not syncing: x'] });
    advance(40);
    proofs.linesArrived('r1', ['Kernel panic - not syncing: x', '---[ end Kernel panic - not syncing: x ]---']);
    await proofs.verdictOf('r1');
    expect(probes[0]?.answersCountAfter).to.equal(10_040);
    proofs.stop();
  });

  it('no end-of-panic line → answers count from settleMs after the panic line (a real timer)', async () => {
    const t = 10_000;
    const start = Date.now();
    const { proofs, probes } = setup({ settings: { ...SETTINGS, settleMs: 50 }, now: () => t + (Date.now() - start) });
    proofs.start({ name: 'r1', node: 'w1', source: '10.0.0.1', detectedAt: 10_000, lines: ['Kernel panic - not syncing: x'] });
    await proofs.verdictOf('r1');
    expect(probes[0]?.answersCountAfter).to.be.at.least(10_050);
    proofs.stop();
  });

  it('started twice (a repeat) → one probe', async () => {
    const { proofs, probes } = setup();
    const req = { name: 'r1', node: 'w1', source: '10.0.0.1', detectedAt: 10_000, lines: ['---[ end Kernel panic'] };
    proofs.start(req);
    proofs.start(req);
    await proofs.verdictOf('r1');
    expect(probes).to.have.length(1);
  });

  const inconclusive: [string, Partial<DeathProofsOptions>, string, RegExp][] = [
    ['a Node not known here', {}, 'w9', /not known/],
    ['a node the self-check never heard from', { provability: () => ({ provable: false, reason: 'never answered a self-check' }) }, 'w1', /silence cannot prove death: never answered/],
    ['a probe that throws', { probe: () => Promise.reject(new Error('EMFILE')) }, 'w1', /the probe failed: EMFILE/],
  ];
  for (const [name, over, node, summary] of inconclusive) {
    it(`${name} → inconclusive, never dead`, async () => {
      const { proofs } = setup(over);
      proofs.start({ name: 'r1', node, source: '10.0.0.1', detectedAt: 10_000, lines: ['---[ end Kernel panic'] });
      const v = await proofs.verdictOf('r1');
      expect(v?.verdict).to.equal('inconclusive');
      expect(v?.summary).to.match(summary);
    });
  }

  it('a node the self-check never heard from that answers → alive: an answer refutes whatever the self-check knows', async () => {
    const ALIVE: DeathVerdict = { verdict: 'alive', summary: '10.0.0.1:10250 answered (connection refused)', attempts: [] };
    const { proofs, probes } = setup({ provability: () => ({ provable: false, reason: 'never answered a self-check' }), probe: (o) => (probes.push(o), Promise.resolve(ALIVE)) });
    proofs.start({ name: 'r1', node: 'w1', source: '10.0.0.1', detectedAt: 10_000, lines: ['---[ end Kernel panic'] });
    expect(await proofs.verdictOf('r1')).to.equal(ALIVE);
    expect(probes).to.have.length(1);
  });

  it('an answer → onAlive with the request (the receive path re-arms the host); silence → no call', async () => {
    const ALIVE: DeathVerdict = { verdict: 'alive', summary: 'answered', attempts: [] };
    const alive: string[] = [];
    const answering = setup({ probe: () => Promise.resolve(ALIVE), onAlive: (req) => alive.push(req.source) });
    answering.proofs.start({ name: 'r1', node: 'w1', source: '10.0.0.1', detectedAt: 10_000, lines: ['---[ end Kernel panic'] });
    await answering.proofs.verdictOf('r1');
    const silent = setup({ onAlive: (req) => alive.push(`dead ${req.source}`) });
    silent.proofs.start({ name: 'r2', node: 'w1', source: '10.0.0.1', detectedAt: 10_000, lines: ['---[ end Kernel panic'] });
    await silent.proofs.verdictOf('r2');
    expect(alive).to.deep.equal(['10.0.0.1']);
  });

  it('never started → null (a leader that did not see the panic)', () => {
    expect(setup().proofs.verdictOf('r1')).to.equal(null);
  });

  it('bounded: beyond maxKept the oldest proof is dropped', async () => {
    const { proofs } = setup({ maxKept: 2 });
    for (const name of ['a', 'b', 'c']) proofs.start({ name, node: 'w1', source: '10.0.0.1', detectedAt: 10_000, lines: ['---[ end Kernel panic'] });
    expect(proofs.size()).to.equal(2);
    expect(proofs.verdictOf('a')).to.equal(null);
    await proofs.verdictOf('c');
  });

  it('a flood of panics from one address → at most maxInFlightPerNode probes of it at once; the rest inconclusive, another Node still probed', async () => {
    const pending: ((v: DeathVerdict) => void)[] = [];
    const { proofs, probes } = setup({
      maxInFlightPerNode: 2,
      target: (node) => ({ node, addresses: [node === 'w1' ? '10.0.0.1' : '10.0.0.2'], port: 10250 }),
      probe: (o) => {
        probes.push(o);
        return new Promise((resolve) => pending.push(resolve));
      },
    });
    for (let i = 0; i < 50; i++) proofs.start({ name: `f${i}`, node: 'w1', source: '10.0.0.1', detectedAt: 10_000, lines: ['---[ end Kernel panic'] });
    proofs.start({ name: 'real', node: 'w2', source: '10.0.0.1', detectedAt: 10_000, lines: ['---[ end Kernel panic'] });
    await new Promise((r) => setImmediate(r));
    expect(proofs.inFlight()).to.equal(3);
    expect(probes.map((p) => p.addresses[0])).to.deep.equal(['10.0.0.1', '10.0.0.1', '10.0.0.2']);
    const capped = await proofs.verdictOf('f7');
    expect(capped?.verdict).to.equal('inconclusive');
    expect(capped?.summary).to.match(/2 probe\(s\) of w1 already running/);
    for (const resolve of pending) resolve(DEAD);
    expect((await proofs.verdictOf('real'))?.verdict).to.equal('dead');
    expect(proofs.inFlight()).to.equal(0);
    // Once the earlier probes are done, the node is probed again.
    proofs.start({ name: 'later', node: 'w1', source: '10.0.0.1', detectedAt: 10_000, lines: ['---[ end Kernel panic'] });
    await new Promise((r) => setImmediate(r));
    expect(probes).to.have.length(4);
    pending.at(-1)?.(DEAD);
    expect((await proofs.verdictOf('later'))?.verdict).to.equal('dead');
  });

  it('the overall cap holds across Nodes', async () => {
    const { proofs, probes } = setup({
      maxInFlight: 3,
      target: (node) => ({ node, addresses: ['10.0.0.1'], port: 10250 }),
      probe: (o) => {
        probes.push(o);
        return new Promise(() => undefined);
      },
    });
    for (let i = 0; i < 10; i++) proofs.start({ name: `r${i}`, node: `n${i}`, source: '10.0.0.1', detectedAt: 10_000, lines: ['---[ end Kernel panic'] });
    await new Promise((r) => setImmediate(r));
    expect(probes).to.have.length(3);
    expect((await proofs.verdictOf('r9'))?.summary).to.match(/3 probes already running/);
    proofs.stop();
  });
});
