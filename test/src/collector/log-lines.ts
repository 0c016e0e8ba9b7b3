// The collector's log is pino JSON, one object a line, mixed with whatever else reaches stdout/stderr
// (Node.js warnings, stack traces). Pure: the caller feeds the text read so far.

/** One pino log line: `time` in ms since the epoch, `msg` the message; the rest as logged. */
export interface LogEntry {
  time: number;
  msg: string;
  [key: string]: unknown;
}

export interface SplitLog {
  /** Entries from the complete lines, in order. Lines that are no JSON log entry are skipped. */
  entries: LogEntry[];
  /** The text after the last newline: a line still being written. */
  rest: string;
}

function parseEntry(line: string): LogEntry | null {
  if (!line.startsWith('{')) return null;
  try {
    const value = JSON.parse(line) as Partial<LogEntry>;
    return typeof value.time === 'number' && typeof value.msg === 'string' ? (value as LogEntry) : null;
  } catch {
    return null;
  }
}

export function splitLogLines(text: string): SplitLog {
  const lines = text.split('\n');
  const rest = lines.pop() ?? '';
  const entries: LogEntry[] = [];
  for (const line of lines) {
    const entry = parseEntry(line);
    if (entry !== null) entries.push(entry);
  }
  return { entries, rest };
}
