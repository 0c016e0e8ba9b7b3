// Human times for tables: "3s ago", "5m ago", "2h ago", "4d ago"; "in 2s" for the future. Pure.

/** `at` and `now` in ms since the epoch; null → "-". */
export function relativeTime(at: number | null, now: number): string {
  if (at === null) return '-';
  const delta = now - at;
  const text = duration(Math.abs(delta));
  return delta >= 0 ? `${text} ago` : `in ${text}`;
}

/** A span in ms, in its largest whole unit: 850ms, 12s, 5m, 3h, 2d. */
export function duration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const s = Math.floor(ms / 1000);
  if (s < 120) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 120) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h`;
  return `${Math.floor(h / 24)}d`;
}

/** A short span in ms with more precision than `duration` below 10 s: 850ms, 1.2s, 12s, 5m. */
export function span(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 10_000) return `${(Math.floor(ms / 100) / 10).toFixed(1)}s`;
  return duration(ms);
}

/** Protobuf Timestamp (or null) → ms since the epoch (or null). */
export function timestampMs(t: { seconds: number; nanos: number } | null | undefined): number | null {
  return t === null || t === undefined ? null : t.seconds * 1000 + Math.floor(t.nanos / 1e6);
}

export function isoTime(ms: number | null): string {
  return ms === null ? '-' : new Date(ms).toISOString();
}
