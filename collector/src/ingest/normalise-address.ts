// Source addresses as the rest of the collector sees them: IPv4-mapped IPv6 (`::ffff:10.0.0.1`, what a
// dual-stack socket reports for IPv4 senders) becomes plain IPv4; IPv6 is lower-cased, zone kept.
const MAPPED = /^::ffff:(\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3})$/i;

export function normaliseAddress(address: string): string {
  const mapped = MAPPED.exec(address);
  if (mapped?.[1] !== undefined) return mapped[1];
  return address.includes(':') ? address.toLowerCase() : address;
}

/** Splits `HOST:PORT`, `[V6]:PORT` or `:PORT`; returns null when malformed. */
export function parseListenAddress(text: string): { host: string; port: number } | null {
  const match = /^(?:\[([^\]]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(text);
  if (match === null) return null;
  const port = Number(match[3]);
  if (port > 65535) return null;
  const host = match[1] ?? match[2] ?? '';
  return { host: host === '' ? '::' : host, port };
}
