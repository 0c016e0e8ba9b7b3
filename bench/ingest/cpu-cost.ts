// CPU cost per datagram over a set of trials. The median resists the odd trial that shared its CPU
// with a burst of other work; trials with too few datagrams are left out (timer-tick resolution).

export interface CostSample {
  cpuSeconds: number;
  datagrams: number;
}

/** Below this many datagrams a trial's CPU time (10 ms ticks) is too coarse to count. */
const MIN_DATAGRAMS = 10_000;

/** Median µs of CPU per datagram; null without a usable sample. */
export function medianMicrosPerDatagram(samples: CostSample[]): number | null {
  const values = samples
    .filter((s) => s.datagrams >= MIN_DATAGRAMS)
    .map((s) => (s.cpuSeconds * 1e6) / s.datagrams)
    .sort((a, b) => a - b);
  if (values.length === 0) return null;
  const mid = Math.floor(values.length / 2);
  const upper = values[mid] ?? 0;
  return values.length % 2 === 1 ? upper : ((values[mid - 1] ?? upper) + upper) / 2;
}
