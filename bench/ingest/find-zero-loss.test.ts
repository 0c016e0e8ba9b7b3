import { expect } from 'chai';
import { findZeroLossRate, isGeneratorLimited, type TrialResult } from './find-zero-loss.js';

/**
 * A simulated receiver that loses nothing up to `capacity` pps, a generator capped at `genMax`, the
 * first `flakyFirstReps` repetitions of every step lossy, and the first `slowFirstReps` ones sending at
 * a fifth of the target (a neighbour stole the generator's CPU).
 */
function simulated(capacity: number, genMax = Infinity, flakyFirstReps = 0, slowFirstReps = 0) {
  const calls: { rate: number; rep: number }[] = [];
  const trial = (rate: number, rep: number): Promise<TrialResult> => {
    calls.push({ rate, rep });
    const achieved = Math.min(rep <= slowFirstReps ? rate / 5 : rate, genMax);
    const sent = achieved * 2;
    const received = achieved <= capacity && rep > flakyFirstReps ? sent : sent - 1;
    return Promise.resolve({
      targetPps: rate,
      achievedPps: achieved,
      sent,
      received,
      parsed: received,
      socketDrops: sent - received,
      zeroLoss: received === sent,
      generatorLimited: isGeneratorLimited(rate, achieved),
    });
  };
  return { trial, calls };
}

describe('findZeroLossRate', () => {
  const rates = [25_000, 50_000, 100_000, 200_000, 400_000];
  const cases: {
    name: string;
    capacity: number;
    genMax?: number;
    flaky?: number;
    slow?: number;
    refine: number;
    expected: number;
    limited: boolean;
    failing: number | null;
  }[] = [
    { name: 'receiver capacity 150k, no refinement', capacity: 150_000, refine: 0, expected: 100_000, limited: false, failing: 200_000 },
    { name: 'receiver capacity 150k, two bisection steps', capacity: 150_000, refine: 2, expected: 150_000, limited: false, failing: 175_000 },
    { name: 'receiver faster than every rate', capacity: 1e9, refine: 2, expected: 400_000, limited: false, failing: null },
    { name: 'receiver capacity below the lowest rate', capacity: 10_000, refine: 2, expected: 0, limited: false, failing: 25_000 },
    { name: 'generator capped at 70k, receiver unlimited', capacity: 1e9, genMax: 70_000, refine: 2, expected: 70_000, limited: true, failing: null },
    { name: 'generator capped at 70k, receiver capacity 60k', capacity: 60_000, genMax: 70_000, refine: 0, expected: 50_000, limited: false, failing: 100_000 },
    { name: 'first repetition of every step lossy (noise)', capacity: 150_000, flaky: 1, refine: 0, expected: 100_000, limited: false, failing: 200_000 },
    { name: 'generator starved in the first repetition of every step', capacity: 150_000, slow: 1, refine: 0, expected: 100_000, limited: false, failing: 200_000 },
    { name: 'generator starved in every repetition', capacity: 1e9, slow: 3, refine: 0, expected: 5_000, limited: true, failing: null },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const sim = simulated(c.capacity, c.genMax, c.flaky, c.slow);
      const result = await findZeroLossRate({ rates, repetitions: 3, refineSteps: c.refine, trial: sim.trial });
      expect(result.zeroLossPps).to.equal(c.expected);
      expect(result.generatorLimited).to.equal(c.limited);
      expect(result.firstFailingPps).to.equal(c.failing);
    });
  }

  it('a failing step runs every repetition; a passing one stops at the first loss-free repetition', async () => {
    const sim = simulated(150_000);
    await findZeroLossRate({ rates, repetitions: 3, refineSteps: 0, trial: sim.trial });
    expect(sim.calls.map((c) => `${c.rate}/${c.rep}`)).to.deep.equal([
      '25000/1', '50000/1', '100000/1', '200000/1', '200000/2', '200000/3',
    ]);
  });
});

describe('isGeneratorLimited', () => {
  const cases: [number, number, boolean][] = [
    [100_000, 100_000, false],
    [100_000, 96_000, false],
    [100_000, 94_000, true],
    [0, 50_000, false],
  ];
  for (const [target, achieved, limited] of cases) {
    it(`target ${target}, achieved ${achieved} → ${limited}`, () => {
      expect(isGeneratorLimited(target, achieved)).to.equal(limited);
    });
  }
});
