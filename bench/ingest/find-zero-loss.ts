// The search for the highest rate a receiver sustains with zero loss. Pure: the trial runner is passed in.
//
// Rates are tried in ascending order. A step passes when any of its repetitions loses nothing: on a
// shared, noisy machine loss can come from a neighbour stealing the CPU, never from the receiver being
// faster than it is, so the best repetition is the receiver's capability. Stepping stops at the first
// failing step, then bisects between the last passing and the first failing rate.
//
// A loss-free trial in which the generator fell short of its target proves only the lower rate it
// reached, so the step goes on to its next repetition hoping for one at full rate. When every
// loss-free repetition fell short, the generator is the limit: higher targets would not send faster,
// the search stops there, and the result says so.

export interface TrialResult {
  targetPps: number;
  /** What the generator actually achieved over the trial. */
  achievedPps: number;
  sent: number;
  received: number;
  parsed: number;
  /** Kernel count of datagrams dropped on the receiver's socket during the trial; null if unknown. */
  socketDrops: number | null;
  zeroLoss: boolean;
  generatorLimited: boolean;
}

/** Below this share of its target the generator, not the receiver, set the pace. */
export const GENERATOR_LIMIT_SHARE = 0.95;

export function isGeneratorLimited(targetPps: number, achievedPps: number): boolean {
  return targetPps > 0 && achievedPps < targetPps * GENERATOR_LIMIT_SHARE;
}

/** The rate a zero-loss trial demonstrates: its target, or what was achieved when the generator fell short. */
export function demonstratedPps(t: TrialResult): number {
  return t.generatorLimited ? Math.round(t.achievedPps) : t.targetPps;
}

export interface SearchOptions {
  /** Ascending rates, datagrams per second. */
  rates: number[];
  repetitions: number;
  /** Bisection steps between the last passing and the first failing rate. */
  refineSteps: number;
  trial: (ratePps: number, repetition: number) => Promise<TrialResult>;
}

export interface SearchResult {
  /** Highest rate with zero loss; 0 when even the lowest rate lost datagrams. */
  zeroLossPps: number;
  /** The best passing trial was limited by the generator: the receiver may sustain more. */
  generatorLimited: boolean;
  /** Lowest rate that failed in every repetition; null when none failed. */
  firstFailingPps: number | null;
  trials: TrialResult[];
}

export async function findZeroLossRate(opts: SearchOptions): Promise<SearchResult> {
  const trials: TrialResult[] = [];
  const step = async (rate: number): Promise<TrialResult | null> => {
    let limited: TrialResult | null = null;
    let lostAtFullRate = false;
    for (let rep = 1; rep <= opts.repetitions; rep++) {
      const result = await opts.trial(rate, rep);
      trials.push(result);
      if (result.zeroLoss && !result.generatorLimited) return result;
      if (!result.generatorLimited) lostAtFullRate = true;
      if (result.zeroLoss && (limited === null || result.achievedPps > limited.achievedPps)) limited = result;
    }
    // A loss at the full rate outweighs a loss-free run at a lower one.
    return lostAtFullRate ? null : limited;
  };
  /** Keeps the trial demonstrating the higher rate; a generator-limited newcomer marks the limit. */
  const better = (current: TrialResult | null, next: TrialResult): TrialResult =>
    current === null || demonstratedPps(next) >= demonstratedPps(current) ? next : { ...current, generatorLimited: next.generatorLimited };
  let best: TrialResult | null = null;
  let failing: number | null = null;
  for (const rate of opts.rates) {
    const passed = await step(rate);
    if (!passed) {
      failing = rate;
      break;
    }
    best = better(best, passed);
    if (passed.generatorLimited) break;
  }
  if (best && failing !== null) {
    let low = best.targetPps;
    let high = failing;
    for (let i = 0; i < opts.refineSteps && high - low > low * 0.05; i++) {
      const mid = Math.round((low + high) / 2);
      const passed = await step(mid);
      if (passed) {
        best = better(best, passed);
        low = mid;
        if (passed.generatorLimited) break;
      } else {
        high = mid;
      }
    }
    failing = high;
  }
  return {
    zeroLossPps: best ? demonstratedPps(best) : 0,
    generatorLimited: best?.generatorLimited ?? false,
    firstFailingPps: failing,
    trials,
  };
}
