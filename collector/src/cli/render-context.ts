// What every renderer is given: the clock and the terminal, never read from the process.
export interface RenderContext {
  /** ms since the epoch. */
  now: number;
  /** Terminal width in columns; undefined when unknown (output not cut). */
  width: number | undefined;
  /** `-o wide`: more columns, nothing cut. */
  wide: boolean;
}

/** `INCIDENT_PHASE_REMEDIATED` → `remediated`. */
export function enumName(value: string, prefix: string): string {
  return (value.startsWith(prefix) ? value.slice(prefix.length) : value).toLowerCase().replace(/_/g, '-');
}
