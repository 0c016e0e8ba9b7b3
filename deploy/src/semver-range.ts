// Just enough of npm's range syntax for the root package.json "engines" field: `||`-separated sets of
// space-separated comparators (`>=20.19`, `<21`, `=22.1.0`, `20.19.1`); missing minor/patch count as 0.

type Triple = [number, number, number];

function parseVersion(text: string): Triple {
  const match = /^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?/.exec(text);
  if (match?.[1] === undefined) throw new Error(`not a version: ${text}`);
  return [Number(match[1]), Number(match[2] ?? 0), Number(match[3] ?? 0)];
}

function compare(a: Triple, b: Triple): number {
  for (let i = 0; i < 3; i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

function satisfiesComparator(version: Triple, comparator: string): boolean {
  const match = /^(>=|<=|>|<|=)?\s*(.+)$/.exec(comparator);
  if (match?.[2] === undefined) throw new Error(`cannot read comparator ${comparator}`);
  const c = compare(version, parseVersion(match[2]));
  switch (match[1]) {
    case '>=':
      return c >= 0;
    case '<=':
      return c <= 0;
    case '>':
      return c > 0;
    case '<':
      return c < 0;
    default:
      return c === 0;
  }
}

export function satisfies(version: string, range: string): boolean {
  const v = parseVersion(version);
  return range.split('||').some((set) =>
    set
      .trim()
      .split(/\s+/)
      .filter((c) => c !== '')
      .every((c) => satisfiesComparator(v, c)),
  );
}
