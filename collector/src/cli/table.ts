// Aligned text tables. Pure: the terminal width is passed in. Every cell and value is sanitised
// (@lastgasp/proto/terminal-text): control characters from kernel text show as `\x1b`-style escapes.
import { sanitise } from '@lastgasp/proto/terminal-text';

export interface TableOptions {
  /** Terminal width in columns; undefined: never cut. */
  width?: number | undefined;
  /** Index of the column cut to make lines fit `width` (the last, free-text one). */
  cutColumn?: number;
}

const GAP = '  ';
const ELLIPSIS = '…';

/** Header and rows, left-aligned, two spaces between columns, no trailing spaces. */
export function renderTable(headers: readonly string[], rows: readonly (readonly string[])[], options: TableOptions = {}): string {
  const all = [headers, ...rows].map((row) => headers.map((_, i) => sanitise(row[i] ?? '')));
  const widths = headers.map((_, i) => Math.max(...all.map((row) => length(row[i] ?? ''))));
  const cut = options.cutColumn;
  if (options.width !== undefined && cut !== undefined && cut === headers.length - 1) {
    const fixed = widths.slice(0, cut).reduce((sum, w) => sum + w + GAP.length, 0);
    const room = Math.max(options.width - fixed, length(headers[cut] ?? ''), 8);
    for (const row of all) row[cut] = truncate(row[cut] ?? '', room);
  }
  return all
    .map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : pad(cell, widths[i] ?? 0))).join(GAP).trimEnd())
    .join('\n');
}

/** At most `max` characters; an ellipsis marks a cut. */
export function truncate(text: string, max: number): string {
  const chars = [...text];
  if (chars.length <= max) return text;
  return chars.slice(0, Math.max(max - 1, 0)).join('') + ELLIPSIS;
}

/** Key/value lines with the keys aligned. */
export function renderFields(fields: readonly (readonly [string, string])[]): string {
  const width = Math.max(...fields.map(([k]) => length(k)));
  return fields.map(([k, v]) => `${pad(k, width)}${GAP}${sanitise(v)}`.trimEnd()).join('\n');
}

function length(text: string): number {
  return [...text].length;
}

function pad(text: string, width: number): string {
  return text + ' '.repeat(Math.max(width - length(text), 0));
}
