// Address arithmetic of the node address pool (node-address-pool.ts). Pure: randomness and the
// machine's routes are passed in.
//
// Layout of one pool:
//   IPv4: a /20 claimed on the host (a blackhole route, so nothing of it can leave by the default route).
//         Its first /21 holds the node addresses (AnyIP in the pool's namespace); the host↔namespace
//         link is a /30 at the start of its second /21 (host .1, namespace .2).
//   IPv6: a /64 claimed the same way. Node addresses are `<prefix>::<n>` (inside `<prefix>::/80`, AnyIP);
//         the link is `<prefix>:ffff::1` and `::2` (/126).
// Node number i gets the i-th IPv4 and `<prefix>::<i+1>`, so a Node's two addresses are easy to pair.
import ipaddr from 'ipaddr.js';

/** Size of the claimed IPv4 block. */
export const IPV4_BLOCK_PREFIX = 20;
/** Node addresses per pool: 8 × 254 (a /21 without the .0 and .255 of each /24). */
export const POOL_CAPACITY = 8 * 254;

export interface PoolLayout {
  ipv4: {
    /** The claimed block, e.g. `100.77.16.0/20`. */
    block: string;
    /** Node addresses, AnyIP in the namespace, e.g. `100.77.16.0/21`. */
    nodes: string;
    /** The host's end of the link with prefix length, e.g. `100.77.24.1/30`. */
    hostLink: string;
    /** The namespace's end of the link with prefix length. */
    peerLink: string;
    /** The namespace's end of the link: the next hop for `nodes`. */
    peerAddress: string;
  };
  ipv6?: {
    /** The claimed prefix, e.g. `fd12:3456:789a:1::/64`. */
    block: string;
    nodes: string;
    hostLink: string;
    peerLink: string;
    peerAddress: string;
  };
}

function v4ToInt(text: string): number {
  return ipaddr.IPv4.parse(text).toByteArray().reduce((n, b) => n * 256 + b, 0);
}

function intToV4(n: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join('.');
}

/** Parses `a.b.c.d/len` or `x::/len`, or a bare address as a host route. */
export function parseRouteDestination(text: string): [ipaddr.IPv4 | ipaddr.IPv6, number] | null {
  try {
    if (text.includes('/')) return ipaddr.parseCIDR(text);
    const address = ipaddr.parse(text);
    return [address, address.kind() === 'ipv4' ? 32 : 128];
  } catch {
    return null;
  }
}

/** True when the two prefixes share any address (one contains the other); different families never do. */
export function overlaps(a: string, b: string): boolean {
  const pa = parseRouteDestination(a);
  const pb = parseRouteDestination(b);
  if (pa === null || pb === null || pa[0].kind() !== pb[0].kind()) return false;
  const [wide, narrow] = pa[1] <= pb[1] ? [pa, pb] : [pb, pa];
  return narrow[0].match(wide);
}

/**
 * `count` random /20 blocks: first from 100.64.0.0/10 (shared address space, rarely routed on a test
 * machine), then from 10.0.0.0/8. `random` returns [0, 1).
 */
export function ipv4BlockCandidates(random: () => number, count: number): string[] {
  const bases: [base: string, blocks: number][] = [
    ['100.64.0.0', 2 ** (IPV4_BLOCK_PREFIX - 10)],
    ['10.0.0.0', 2 ** (IPV4_BLOCK_PREFIX - 8)],
  ];
  const out: string[] = [];
  for (const [base, blocks] of bases) {
    for (let i = 0; i < Math.ceil(count / 2); i++) {
      const n = Math.floor(random() * blocks);
      out.push(`${intToV4(v4ToInt(base) + n * 2 ** (32 - IPV4_BLOCK_PREFIX))}/${IPV4_BLOCK_PREFIX}`);
    }
  }
  return out.slice(0, count);
}

/** A unique-local /64 (RFC 4193: `fd` + 40-bit global id + 16-bit subnet) from 7 random bytes. */
export function ulaPrefix(bytes: Uint8Array): string {
  if (bytes.length < 7) throw new RangeError('ulaPrefix needs 7 random bytes');
  const b = [...bytes.subarray(0, 7)];
  const hex = (hi: number, lo: number): string => ((hi << 8) | lo).toString(16);
  return `${hex(0xfd, b[0] ?? 0)}:${hex(b[1] ?? 0, b[2] ?? 0)}:${hex(b[3] ?? 0, b[4] ?? 0)}:${hex(b[5] ?? 0, b[6] ?? 0)}::/64`;
}

/** The layout for a claimed IPv4 /20 and, optionally, an IPv6 /64. Throws on other prefix lengths. */
export function layoutOf(ipv4Block: string, ipv6Block?: string): PoolLayout {
  const [v4, v4len] = ipaddr.IPv4.parseCIDR(ipv4Block);
  if (v4len !== IPV4_BLOCK_PREFIX) throw new RangeError(`the IPv4 block must be a /${IPV4_BLOCK_PREFIX}, got ${ipv4Block}`);
  const base = v4ToInt(v4.toString());
  if (base % 2 ** (32 - IPV4_BLOCK_PREFIX) !== 0) throw new RangeError(`${ipv4Block} is not a network address`);
  const link = base + 2048;
  const layout: PoolLayout = {
    ipv4: {
      block: ipv4Block,
      nodes: `${intToV4(base)}/21`,
      hostLink: `${intToV4(link + 1)}/30`,
      peerLink: `${intToV4(link + 2)}/30`,
      peerAddress: intToV4(link + 2),
    },
  };
  if (ipv6Block !== undefined) {
    const [v6, v6len] = ipaddr.IPv6.parseCIDR(ipv6Block);
    if (v6len !== 64) throw new RangeError(`the IPv6 block must be a /64, got ${ipv6Block}`);
    const p = v6.parts.slice(0, 4).map((n) => n.toString(16)).join(':');
    layout.ipv6 = {
      block: `${p}::/64`,
      nodes: `${p}::/80`,
      hostLink: `${p}:ffff::1/126`,
      peerLink: `${p}:ffff::2/126`,
      peerAddress: `${p}:ffff::2`,
    };
  }
  return layout;
}

/** Node number `index` (0 ≤ index < POOL_CAPACITY): its IPv4 and, with an IPv6 block, its IPv6 address. */
export function nodeAddressAt(layout: PoolLayout, index: number): { ipv4: string; ipv6?: string } {
  if (!Number.isInteger(index) || index < 0 || index >= POOL_CAPACITY) throw new RangeError(`node index ${index} outside 0..${POOL_CAPACITY - 1}`);
  const base = v4ToInt(layout.ipv4.nodes.split('/')[0] ?? '');
  const ipv4 = intToV4(base + Math.floor(index / 254) * 256 + (index % 254) + 1);
  if (layout.ipv6 === undefined) return { ipv4 };
  const prefix = layout.ipv6.block.replace(/::\/64$/, '');
  return { ipv4, ipv6: `${prefix}::${(index + 1).toString(16)}` };
}

/** Canonical text of an address: dotted quad, or RFC 5952 IPv6. Null when not an address. */
export function canonicalAddress(text: string): string | null {
  if (!ipaddr.isValid(text)) return null;
  const address = ipaddr.parse(text);
  return address.kind() === 'ipv4' ? address.toString() : (address as ipaddr.IPv6).toRFC5952String();
}

/** True when `address` is one of the pool's node addresses (inside its AnyIP ranges). */
export function isNodeAddress(layout: PoolLayout, address: string): boolean {
  const nodes = [layout.ipv4.nodes, ...(layout.ipv6 === undefined ? [] : [layout.ipv6.nodes])];
  return nodes.some((range) => overlaps(range, address));
}
