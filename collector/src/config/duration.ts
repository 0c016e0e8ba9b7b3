// Durations in settings, written as Go writes them: `400ms`, `30s`, `10m`, `1h30m`, plus `d` for days
// (24 h), or a bare `0`. Result in whole milliseconds. Same grammar as the agent's settings, with days
// added: a proof-of-death window is milliseconds, a reachability horizon can be days.
// Strict on purpose: a typo in a safety setting must be an error, never a silently different value, so
// there is no sign, no space, no unit-less number other than 0, and every character must be consumed.

const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** One `<number><unit>` term; `ms` is listed before `m` so the alternation takes the longer unit. */
const TERM = /(\d+(?:\.\d+)?|\.\d+)(ms|s|m|h|d)/y;

/** Milliseconds (rounded to the nearest whole ms), or null when `text` is not a duration. */
export function parseDuration(text: string): number | null {
  const s = text.trim();
  if (s === '0') return 0;
  if (s === '') return null;
  let total = 0;
  TERM.lastIndex = 0;
  while (TERM.lastIndex < s.length) {
    const m = TERM.exec(s);
    if (m === null) return null;
    total += Number(m[1]) * (UNIT_MS[m[2] ?? ''] ?? Number.NaN);
  }
  const ms = Math.round(total);
  return Number.isSafeInteger(ms) ? ms : null;
}
