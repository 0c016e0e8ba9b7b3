// The one duration syntax of everything a person types: the agent's and the collector's settings, the
// chart's values and the CLI's flags. Written as Go writes them (`400ms`, `30s`, `10m`, `1h30m`), plus
// `d` for days (24 h), or a bare `0`. Result in whole milliseconds.
// Strict on purpose: a typo in a safety setting must be an error, never a silently different value, so
// there is no sign, no space inside, no unit-less number other than 0, and every character must be
// consumed. Settings whose key names the unit (`windowSeconds`, `leaseDurationSeconds`) stay numbers.

const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** One `<number><unit>` term; `ms` is listed before `m` so the alternation takes the longer unit. */
const TERM = /(\d+(?:\.\d+)?|\.\d+)(ms|s|m|h|d)/y;

/** What a message about a bad duration shows as examples. */
export const DURATION_EXAMPLES = '500ms, 30s, 5m, 1h30m, 7d';

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

/** Whole milliseconds as the shortest text parseDuration reads back to the same value: `1d2h30m`, `1s500ms`, `0`. */
export function formatDuration(ms: number): string {
  if (!Number.isSafeInteger(ms) || ms < 0) throw new RangeError(`not a duration in whole milliseconds: ${ms}`);
  if (ms === 0) return '0';
  let rest = ms;
  let out = '';
  for (const unit of ['d', 'h', 'm', 's', 'ms'] as const) {
    const size = UNIT_MS[unit] ?? 1;
    const n = Math.floor(rest / size);
    if (n > 0) out += `${n}${unit}`;
    rest -= n * size;
  }
  return out;
}
