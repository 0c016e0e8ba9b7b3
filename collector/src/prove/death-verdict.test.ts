import { expect } from 'chai';
import { formatEndpoint, judgeDeath, type ProbeAttempt, type ProbeOutcome, type Verdict } from './death-verdict.js';

/** The last gasp is over at T; attempts go out at T, T+200, T+400 as probeNode schedules them. */
const T = 1_700_000_000_000;
const V4 = '10.0.0.7';
const V6 = 'fd00::7';
const PORT = 10250;

function attempt(address: string, offsetMs: number, outcome: ProbeOutcome, extra: Partial<ProbeAttempt> = {}): ProbeAttempt {
  const settle = outcome === 'timeout' ? 250 : 2;
  return { address, port: PORT, sentAt: T + offsetMs, settledAt: T + offsetMs + settle, outcome, ...extra };
}

/** Three timeouts at 0, 200, 400 ms. */
function silent(address: string): ProbeAttempt[] {
  return [attempt(address, 0, 'timeout'), attempt(address, 200, 'timeout'), attempt(address, 400, 'timeout')];
}

interface Case {
  name: string;
  addresses: string[];
  attempts: ProbeAttempt[];
  verdict: Verdict;
  summary: string | RegExp;
  panicAt?: number;
}

const cases: Case[] = [
  {
    name: 'three timeouts over the window',
    addresses: [V4],
    attempts: silent(V4),
    verdict: 'dead',
    summary: 'no answer from 10.0.0.7:10250 in 3 attempts over 400 ms',
  },
  {
    name: 'an RST on the second attempt',
    addresses: [V4],
    attempts: [attempt(V4, 0, 'timeout'), attempt(V4, 200, 'refused', { settledAt: T + 212 })],
    panicAt: T - 5,
    verdict: 'alive',
    summary: '10.0.0.7:10250 answered (connection refused) 217 ms after the panic line',
  },
  {
    name: 'a completed handshake',
    addresses: [V4],
    attempts: [attempt(V4, 0, 'connected')],
    verdict: 'alive',
    summary: '10.0.0.7:10250 answered (connection accepted) 2 ms after the last gasp was over',
  },
  {
    name: 'the earliest of several answers is reported',
    addresses: [V4, V6],
    attempts: [attempt(V4, 0, 'refused', { settledAt: T + 30 }), attempt(V6, 0, 'connected', { settledAt: T + 9 })],
    verdict: 'alive',
    summary: /^\[fd00::7\]:10250 answered \(connection accepted\) 9 ms/,
  },
  {
    name: 'IPv4 silent, IPv6 answers',
    addresses: [V4, V6],
    attempts: [...silent(V4), attempt(V6, 0, 'refused')],
    verdict: 'alive',
    summary: /^\[fd00::7\]:10250 answered \(connection refused\)/,
  },
  {
    name: 'IPv4 and IPv6 both silent',
    addresses: [V4, V6],
    attempts: [...silent(V4), ...silent(V6)],
    verdict: 'dead',
    summary: 'no answer from 10.0.0.7:10250 or [fd00::7]:10250 in 3 attempts each over 400 ms',
  },
  {
    name: 'an IPv6-only node, silent',
    addresses: [V6],
    attempts: silent(V6),
    verdict: 'dead',
    summary: 'no answer from [fd00::7]:10250 in 3 attempts over 400 ms',
  },
  {
    name: 'IPv4 silent, IPv6 never probed',
    addresses: [V4, V6],
    attempts: silent(V4),
    verdict: 'inconclusive',
    summary: 'only 0 of 3 attempts to fd00::7 counted',
  },
  {
    name: 'host unreachable among timeouts',
    addresses: [V4],
    attempts: [attempt(V4, 0, 'timeout'), attempt(V4, 200, 'unreachable', { code: 'EHOSTUNREACH' }), attempt(V4, 400, 'timeout')],
    verdict: 'inconclusive',
    summary: '10.0.0.7:10250 unreachable (EHOSTUNREACH): a dead node and a broken path look alike',
  },
  {
    name: 'IPv4 silent, IPv6 network unreachable',
    addresses: [V4, V6],
    attempts: [...silent(V4), attempt(V6, 0, 'unreachable', { code: 'ENETUNREACH' })],
    verdict: 'inconclusive',
    summary: '[fd00::7]:10250 unreachable (ENETUNREACH): a dead node and a broken path look alike',
  },
  {
    name: 'a local error every time, named once',
    addresses: [V4],
    attempts: [0, 200, 400].map((t) => attempt(V4, t, 'error', { code: 'EMFILE' })),
    verdict: 'inconclusive',
    summary: '10.0.0.7:10250 failed (EMFILE)',
  },
  {
    name: 'two timeouts where three are needed',
    addresses: [V4],
    attempts: [attempt(V4, 0, 'timeout'), attempt(V4, 400, 'timeout')],
    verdict: 'inconclusive',
    summary: 'only 2 of 3 attempts to 10.0.0.7 counted',
  },
  {
    name: 'three timeouts bunched into 100 ms',
    addresses: [V4],
    attempts: [attempt(V4, 0, 'timeout'), attempt(V4, 50, 'timeout'), attempt(V4, 100, 'timeout')],
    verdict: 'inconclusive',
    summary: 'attempts to 10.0.0.7 spanned 100 ms, less than 400 ms',
  },
  {
    name: 'no attempts at all',
    addresses: [V4],
    attempts: [],
    verdict: 'inconclusive',
    summary: 'only 0 of 3 attempts to 10.0.0.7 counted',
  },
  {
    name: 'a Node without addresses',
    addresses: [],
    attempts: [],
    verdict: 'inconclusive',
    summary: 'no address to probe',
  },
  {
    name: 'an RST before the last gasp was over, then silence',
    addresses: [V4],
    attempts: [attempt(V4, -6, 'refused', { settledAt: T - 5 }), ...silent(V4)],
    verdict: 'dead',
    summary: 'no answer from 10.0.0.7:10250 in 3 attempts over 400 ms',
  },
  {
    name: 'an RST before the last gasp was over, too few attempts after it',
    addresses: [V4],
    attempts: [attempt(V4, -6, 'refused', { settledAt: T - 5 }), attempt(V4, 0, 'timeout'), attempt(V4, 400, 'timeout')],
    verdict: 'inconclusive',
    summary: 'only 2 of 3 attempts to 10.0.0.7 counted (1 attempt(s) before the last gasp was over ignored)',
  },
  {
    name: 'a timeout sent before the last gasp was over does not count',
    addresses: [V4],
    attempts: [attempt(V4, -400, 'timeout'), attempt(V4, -200, 'timeout'), attempt(V4, 0, 'timeout')],
    verdict: 'inconclusive',
    summary: /^only 1 of 3 attempts to 10\.0\.0\.7 counted/,
  },
  {
    name: 'an unreachable before the last gasp was over is ignored',
    addresses: [V4],
    attempts: [attempt(V4, -10, 'unreachable', { code: 'EHOSTUNREACH' }), ...silent(V4)],
    verdict: 'dead',
    summary: 'no answer from 10.0.0.7:10250 in 3 attempts over 400 ms',
  },
  {
    name: 'an answer sent before but received after the last gasp was over counts',
    addresses: [V4],
    attempts: [attempt(V4, -3, 'refused', { settledAt: T + 1 }), ...silent(V4)],
    verdict: 'alive',
    summary: /^10\.0\.0\.7:10250 answered \(connection refused\)/,
  },
  {
    name: 'an answer from an address not listed still refutes',
    addresses: [V4],
    attempts: [...silent(V4), attempt('10.0.0.8', 0, 'refused')],
    verdict: 'alive',
    summary: /^10\.0\.0\.8:10250 answered/,
  },
];

describe('judgeDeath', () => {
  for (const c of cases) {
    it(`${c.name} → ${c.verdict}`, () => {
      const out = judgeDeath({
        addresses: c.addresses,
        attempts: c.attempts,
        answersCountAfter: T,
        minAttempts: 3,
        windowMs: 400,
        ...(c.panicAt === undefined ? {} : { panicAt: c.panicAt }),
      });
      expect(out.verdict).to.equal(c.verdict);
      if (typeof c.summary === 'string') expect(out.summary).to.equal(c.summary);
      else expect(out.summary).to.match(c.summary);
      expect(out.attempts).to.have.length(c.attempts.length);
    });
  }

  it('marks each attempt counted or not', () => {
    const out = judgeDeath({
      addresses: [V4],
      attempts: [attempt(V4, -6, 'refused', { settledAt: T - 1 }), attempt(V4, 0, 'timeout')],
      answersCountAfter: T,
      minAttempts: 1,
      windowMs: 0,
    });
    expect(out.attempts.map((a) => a.counted)).to.deep.equal([false, true]);
    expect(out.verdict).to.equal('dead');
  });

  it('a single silent attempt is proof when one attempt and no window are asked for', () => {
    const out = judgeDeath({ addresses: [V4], attempts: [attempt(V4, 0, 'timeout')], answersCountAfter: T, minAttempts: 1, windowMs: 0 });
    expect(out.verdict).to.equal('dead');
    expect(out.summary).to.equal('no answer from 10.0.0.7:10250 in 1 attempt over 0 ms');
  });

  it('refuses minAttempts below 1: silence without attempts is no proof', () => {
    expect(() => judgeDeath({ addresses: [V4], attempts: [], answersCountAfter: T, minAttempts: 0, windowMs: 0 })).to.throw(RangeError);
  });

  const endpoints: [string, string][] = [
    ['10.0.0.7', '10.0.0.7:10250'],
    ['fd00::7', '[fd00::7]:10250'],
  ];
  for (const [address, want] of endpoints) it(`formats ${address} as ${want}`, () => expect(formatEndpoint(address, 10250)).to.equal(want));
});
