// Address normalisation shared by discovery, the static list and configfs read-back, so the same
// collector always compares equal however it was written (`FD00::0005` and `fd00::5`).
import { isIP } from 'node:net';
import type { CollectorEndpoint } from '../types.js';

/** Canonical text of an IP address (IPv6 compressed, lower case), or null when it is not one. */
export function canonicalIp(text: string): string | null {
  const trimmed = text.trim();
  const family = isIP(trimmed);
  if (family === 4) return trimmed;
  if (family !== 6) return null;
  // The WHATWG URL parser serialises IPv6 hosts in RFC 5952 form; IPv4-mapped forms stay IPv6.
  const host = new URL(`http://[${trimmed}]/`).hostname;
  return host.slice(1, -1);
}

/** Parses `IP:PORT` or `[IPv6]:PORT`; returns an error text naming what is wrong. */
export function parseEndpoint(text: string): CollectorEndpoint | string {
  const trimmed = text.trim();
  const match = /^\[([^\]]+)\]:(\d+)$/.exec(trimmed) ?? /^([^:[\]]+):(\d+)$/.exec(trimmed);
  if (match === null) return `"${trimmed}" is not IP:PORT or [IPv6]:PORT`;
  const [, host = '', portText = ''] = match;
  const address = canonicalIp(host);
  if (address === null) return `"${host}" in "${trimmed}" is not an IP address`;
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 1 || port > 65535) return `port ${portText} in "${trimmed}" is out of range`;
  return { address, port };
}

/** Sorted, duplicate-free copy, so equal sets compare equal as text. */
export function normaliseEndpoints(endpoints: readonly CollectorEndpoint[]): CollectorEndpoint[] {
  const byKey = new Map<string, CollectorEndpoint>();
  for (const endpoint of endpoints) byKey.set(`${endpoint.address}|${endpoint.port}`, endpoint);
  return [...byKey.values()].sort((a, b) =>
    a.address === b.address ? a.port - b.port : a.address < b.address ? -1 : 1,
  );
}

export function sameEndpoints(a: readonly CollectorEndpoint[], b: readonly CollectorEndpoint[]): boolean {
  return a.length === b.length && a.every((e, i) => e.address === b[i]?.address && e.port === b[i]?.port);
}
