// `-o json`: the API's messages in protobuf's JSON style, as grpcurl prints them: Timestamps as RFC 3339
// strings, wrapper values as their plain value. In lastgasp.v1 the only messages shaped exactly
// {seconds, nanos} are Timestamps and the only ones shaped exactly {value} are wrappers. Pure.
// Every string value stays exact; control characters are escaped (terminal-text.ts).
import { terminalJson } from '../terminal-text.js';

export function toJson(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(toJson);
  if (value === null || typeof value !== 'object') return value;
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record).sort().join(',');
  if (keys === 'nanos,seconds' && typeof record.seconds === 'number' && typeof record.nanos === 'number') {
    return new Date(record.seconds * 1000 + Math.floor(record.nanos / 1e6)).toISOString();
  }
  if (keys === 'value') return record.value;
  return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, toJson(v)]));
}

export function renderJson(value: unknown): string {
  return terminalJson(toJson(value), 2);
}

/** One line per value, for streams (`watch -o json`). */
export function renderJsonLine(value: unknown): string {
  return terminalJson(toJson(value));
}
