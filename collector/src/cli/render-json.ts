// `-o json`: the API's messages in protobuf's JSON style, as grpcurl prints them: Timestamps as RFC 3339
// strings, wrapper values as their plain value. In lastgasp.v1 the only messages shaped exactly
// {seconds, nanos} are Timestamps and the only ones shaped exactly {value} are wrappers. Pure.
// Every string value stays exact; control characters are escaped (@lastgasp/proto/terminal-text).
import { Document, isScalar, visit } from 'yaml';
import { terminalJson } from '@lastgasp/proto/terminal-text';

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

/** Control characters (C0 but the newline, DEL, C1): never raw on a terminal. */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/g;

/**
 * `-o yaml`: the same value as `-o json`, as YAML. A string with a control character is written
 * double-quoted with `\xNN` escapes (YAML's own), so none reaches the terminal raw and parsing gives
 * the exact text back.
 */
export function renderYaml(value: unknown): string {
  const doc = new Document(toJson(value));
  visit(doc, {
    Scalar(_key, node) {
      // eslint-disable-next-line no-control-regex -- finding control characters is the point
      if (isScalar(node) && typeof node.value === 'string' && /[\u0000-\u001f\u007f-\u009f]/.test(node.value)) node.type = 'QUOTE_DOUBLE';
    },
  });
  // Only double-quoted scalars can hold such characters now, and in those `\xNN` is an escape.
  return doc.toString({ lineWidth: 0 }).replace(CONTROL, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/** One document per value, for streams (`watch -o yaml`). */
export function renderYamlDocument(value: unknown): string {
  return `---\n${renderYaml(value)}`;
}
