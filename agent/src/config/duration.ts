// Durations in config: `0`, `500ms`, `60s`, `5m`, `6h`, or combinations such as `1h30m`. Result in ms.

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Milliseconds, or null when the text is not a duration. */
export function parseDuration(text: string): number | null {
  const trimmed = text.trim();
  if (trimmed === '0') return 0;
  const parts = [...trimmed.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== trimmed) return null;
  let total = 0;
  for (const [, amount = '', unit = ''] of parts) total += Number(amount) * (UNIT_MS[unit] ?? Number.NaN);
  return Number.isFinite(total) ? Math.round(total) : null;
}
