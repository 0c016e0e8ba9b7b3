// How the demo shows things: section headings, compact tables, a timeline in milliseconds. Pure
// string building; the caller prints.

export function heading(step: number, title: string): string {
  return `\n━━ ${step}. ${title} ${'━'.repeat(Math.max(3, 72 - title.length))}`;
}

/** Left-aligned columns separated by two spaces, a header row first. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].map((l) => `  ${l}`).join('\n');
}

export interface TimelineStep {
  label: string;
  /** ms since the epoch; null when it did not happen (shown as such). */
  at: number | null;
  detail?: string;
}

/** `+   123 ms  label  (detail)` relative to `origin`, in time order; steps that did not happen last. */
export function timeline(origin: number, steps: readonly TimelineStep[]): string {
  return [...steps]
    .sort((a, b) => (a.at ?? Infinity) - (b.at ?? Infinity))
    .map((s) => {
      const when = s.at === null ? '      —   ' : `+${String(s.at - origin).padStart(6)} ms`;
      return `  ${when}  ${s.label}${s.detail === undefined ? '' : `  (${s.detail})`}`;
    })
    .join('\n');
}

/** `key: value` lines, indented, values cut to `max` characters. */
export function fields(entries: readonly (readonly [string, string | number | boolean | undefined])[], max = 160): string {
  return entries
    .filter(([, v]) => v !== undefined && v !== '')
    .map(([k, v]) => {
      const text = String(v);
      return `    ${k}: ${text.length > max ? `${text.slice(0, max - 1)}…` : text}`;
    })
    .join('\n');
}
