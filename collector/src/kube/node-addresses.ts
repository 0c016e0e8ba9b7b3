// Node → the addresses its kernel may send netconsole datagrams from. Pure.
import ipaddr from 'ipaddr.js';
import type { V1Node } from '@kubernetes/client-node';


/**
 * Canonical text of an IP address: IPv4 dotted quad; IPv4-mapped IPv6 (`::ffff:a.b.c.d`) as that IPv4;
 * other IPv6 in RFC 5952 form (lower case, longest zero run compressed); zone ids dropped.
 * Null when `text` is not an IP address.
 */
export function normaliseAddress(text: string): string | null {
  const bare = text.trim().replace(/%.*$/, '');
  if (!ipaddr.isValid(bare)) return null;
  const addr = ipaddr.process(bare);
  return addr.kind() === 'ipv4' ? addr.toString() : (addr as ipaddr.IPv6).toRFC5952String();
}

/**
 * Distinct normalised addresses of a Node of the given types (default InternalIP only: the address its
 * kubelet reports and the Node authorizer limits to its own Node), in the order listed.
 */
export function nodeAddresses(node: V1Node, types: readonly string[] = ['InternalIP']): string[] {
  const out: string[] = [];
  for (const a of node.status?.addresses ?? []) {
    if (!types.includes(a.type)) continue;
    const n = normaliseAddress(a.address);
    if (n !== null && !out.includes(n)) out.push(n);
  }
  return out;
}

/** True when the Node's Ready condition is True. */
export function isNodeReady(node: V1Node): boolean {
  return (node.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
}
