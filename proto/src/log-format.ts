// The two log formats of the collector and the agent (`--log-format json|text`): pino's JSON lines, one
// object a line, for log pipelines; or text for a person at a terminal, made from the same JSON line:
//   2026-01-02T03:04:05.678Z INFO  incident held node=worker-1 reason=StormLimit
// Pure (a JSON line in, a text line out) plus a destination object pino writes to; no dependency on pino.
// Log entries can carry kernel text (a datagram's sender chose it): in text the message, the stack and
// any line that is not JSON are sanitised and values written as terminal-safe JSON, so no control
// character reaches the terminal (terminal-text.ts).
import { sanitise, terminalJson } from './terminal-text.js';

export const LOG_FORMATS = ['json', 'text'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

export function isLogFormat(value: unknown): value is LogFormat {
  return typeof value === 'string' && (LOG_FORMATS as readonly string[]).includes(value);
}

const LEVEL_NAMES: Readonly<Record<number, string>> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
/** Fields every line has, shown in front (time, level, msg) or left out (pid, hostname). */
const HEAD = new Set(['time', 'level', 'msg', 'pid', 'hostname']);

/** A value as text: plain when it is a word, JSON (quoted, escaped) otherwise, so a line stays one line. */
function valueText(v: unknown): string {
  if (typeof v === 'string') return /^[\w.:/@+\-[\]]+$/.test(v) ? v : terminalJson(v);
  if (typeof v === 'number' || typeof v === 'boolean' || v === null) return String(v);
  return terminalJson(v);
}

/** One pino JSON line as one text line (an error's stack on indented lines after it); other text unchanged. */
export function formatLogLine(line: string): string {
  const trimmed = line.trimEnd();
  let entry: unknown;
  try {
    entry = JSON.parse(trimmed);
  } catch {
    return `${sanitise(trimmed)}\n`;
  }
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) return `${sanitise(trimmed)}\n`;
  const e = entry as Record<string, unknown>;
  const time = typeof e['time'] === 'number' ? new Date(e['time']).toISOString() : valueText(e['time'] ?? '-');
  const level = (typeof e['level'] === 'number' ? LEVEL_NAMES[e['level']] : undefined) ?? valueText(e['level'] ?? '?').toUpperCase();
  const fields: string[] = [];
  let stack = '';
  for (const [key, value] of Object.entries(e)) {
    if (HEAD.has(key)) continue;
    if (key === 'err' && typeof value === 'object' && value !== null) {
      const err = value as Record<string, unknown>;
      fields.push(`err=${valueText(err['message'] ?? err['type'] ?? 'error')}`);
      if (typeof err['stack'] === 'string') stack = err['stack'].split('\n').slice(1).map((l) => `    ${sanitise(l.trim())}\n`).join('');
      continue;
    }
    fields.push(`${key}=${valueText(value)}`);
  }
  const msg = typeof e['msg'] === 'string' ? sanitise(e['msg']) : '';
  return `${[time, level.padEnd(5), msg, ...fields].filter((p) => p !== '').join(' ')}\n${stack}`;
}

/**
 * Where a logger writes: undefined for JSON (pino's own stdout), or for text an object with `write` that
 * pino accepts as its destination and that turns each JSON line into a text line on `out`.
 */
export function logDestination(format: LogFormat, out: { write(text: string): unknown } = process.stdout): { write(line: string): void } | undefined {
  if (format === 'json') return undefined;
  return {
    write(line: string) {
      out.write(formatLogLine(line));
    },
  };
}
