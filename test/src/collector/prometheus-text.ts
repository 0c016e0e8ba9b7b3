// Reads sample values out of the Prometheus text exposition format (what /metrics serves).

/** Sum of every sample of `name` (all label sets); null when the metric has no sample. */
export function sumSamples(text: string, name: string): number | null {
  let found = false;
  let sum = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith('#') || !line.startsWith(name)) continue;
    const rest = line.slice(name.length);
    if (rest[0] !== ' ' && rest[0] !== '{') continue;
    const afterLabels = rest[0] === '{' ? rest.slice(rest.lastIndexOf('}') + 1) : rest;
    const value = Number(afterLabels.trim().split(/\s+/)[0]);
    if (Number.isNaN(value)) continue;
    found = true;
    sum += value;
  }
  return found ? sum : null;
}
