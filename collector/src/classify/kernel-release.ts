// The kernel release from the register dump header every oops/panic prints, e.g.
//   CPU: 0 PID: 1 Comm: sh Not tainted 6.1.0-18-amd64 #1 Debian 6.1.76-1
//   CPU: 3 UID: 0 PID: 77 Comm: bash Tainted: G      D W          6.12.9+bpo-amd64 #1 ...
const CPU_LINE = /^CPU: \d+ (?:UID: \d+ )?PID: \d+ Comm: .*? (?:Not tainted|Tainted: [A-Z ]*?) +(\d+\.\d+[0-9A-Za-z._+~-]*) #/;

export function kernelReleaseFromText(text: string): string | null {
  if (!text.startsWith('CPU: ')) return null;
  const match = CPU_LINE.exec(text);
  return match?.[1] ?? null;
}
