// The figures the end-to-end run prints (boot-to-armed, panic line → Node deleted, failover re-point),
// one line each, in a form easy to grep from a CI log: `figure <name>: <ms> ms (<detail>)`.
export function figure(name: string, ms: number, detail: string): string {
  const line = `figure ${name}: ${Math.round(ms)} ms (${detail})`;
  console.log(`    ${line}`);
  return line;
}

/** A scenario's progress line, indented under mocha's test titles. */
export function progress(line: string): void {
  console.log(`      · ${line}`);
}
