// Samples of the Prometheus text exposition format (what /metrics serves), and the metric names PromQL
// expressions use: for checking that alerts and dashboards query only what the binaries export.

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+\d+)?$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"\s*,?\s*/gy;

/** Every sample line of `text` (comments and blank lines skipped); throws on a line it cannot read. */
export function parseSamples(text: string): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '' || line.startsWith('#')) continue;
    const m = SAMPLE.exec(line);
    if (m === null) throw new Error(`not a sample line: ${line}`);
    const labels: Record<string, string> = {};
    const body = m[2] ?? '';
    LABEL.lastIndex = 0;
    let l: RegExpExecArray | null;
    while (LABEL.lastIndex < body.length && (l = LABEL.exec(body)) !== null) {
      labels[l[1] ?? ''] = (l[2] ?? '').replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
    }
    if (LABEL.lastIndex !== body.length) throw new Error(`cannot read the labels of: ${line}`);
    out.push({ name: m[1] ?? '', labels, value: Number(m[3]) });
  }
  return out;
}

/**
 * The project's and the process's metric names in PromQL expressions (lastgasp_*, process_*, nodejs_*),
 * sorted and without repeats. Label names and functions never take those prefixes.
 */
export function metricNames(exprs: readonly string[]): string[] {
  const names = new Set<string>();
  for (const e of exprs) for (const m of e.matchAll(/\b(?:lastgasp|process|nodejs)_[a-z0-9_]+\b/g)) names.add(m[0]);
  return [...names].sort();
}

/** The names of `names` that no sample carries. */
export function missingMetrics(names: readonly string[], samples: readonly Sample[]): string[] {
  const have = new Set(samples.map((s) => s.name));
  return names.filter((n) => !have.has(n));
}
