// Link layer → IP → UDP for captured frames. Returns the UDP datagram or why the frame was skipped;
// never throws on malformed frames (they are counted by the caller).
import ipaddr from 'ipaddr.js';

export const LINKTYPE = {
  NULL: 0,
  ETHERNET: 1,
  RAW: 101,
  LINUX_SLL: 113,
  IPV4: 228,
  IPV6: 229,
  LINUX_SLL2: 276,
} as const;

export type SkipReason =
  | 'unsupported-link-type'
  | 'not-ip'
  | 'not-udp'
  | 'ip-fragment'
  | 'truncated';

export interface DecodedUdp {
  ok: true;
  source: string;
  sourcePort: number;
  destination: string;
  destinationPort: number;
  payload: Buffer;
  /** The first fragment of a fragmented IPv4 datagram: the payload is cut short. */
  partial: boolean;
}

export type DecodeResult = DecodedUdp | { ok: false; reason: SkipReason };

const ETHERTYPE_IPV4 = 0x0800;
const ETHERTYPE_IPV6 = 0x86dd;
const VLAN_TAGS = new Set([0x8100, 0x88a8, 0x9100]);
const PROTO_UDP = 17;
/** IPv6 extension headers that use the generic (next header, length in 8-octet units) layout. */
const IPV6_EXTENSIONS = new Set([0, 43, 60, 135, 139, 140]);
const IPV6_FRAGMENT = 44;
const IPV6_AH = 51;

const skip = (reason: SkipReason): DecodeResult => ({ ok: false, reason });

export function decodeFrame(linkType: number, frame: Buffer): DecodeResult {
  switch (linkType) {
    case LINKTYPE.ETHERNET:
      return decodeEthernet(frame);
    case LINKTYPE.LINUX_SLL:
      return frame.length < 16 ? skip('truncated') : decodeByEtherType(frame.readUInt16BE(14), frame.subarray(16));
    case LINKTYPE.LINUX_SLL2:
      return frame.length < 20 ? skip('truncated') : decodeByEtherType(frame.readUInt16BE(0), frame.subarray(20));
    case LINKTYPE.RAW:
      return decodeIp(frame);
    case LINKTYPE.IPV4:
    case LINKTYPE.IPV6:
      return decodeIp(frame);
    case LINKTYPE.NULL:
      // The address family in the capturing host's byte order: 2 is IPv4, 24/28/30 IPv6 (BSDs).
      return frame.length < 4 ? skip('truncated') : decodeIp(frame.subarray(4));
    default:
      return skip('unsupported-link-type');
  }
}

function decodeEthernet(frame: Buffer): DecodeResult {
  if (frame.length < 14) return skip('truncated');
  let at = 12;
  let etherType = frame.readUInt16BE(at);
  while (VLAN_TAGS.has(etherType)) {
    at += 4;
    if (frame.length < at + 2) return skip('truncated');
    etherType = frame.readUInt16BE(at);
  }
  return decodeByEtherType(etherType, frame.subarray(at + 2));
}

function decodeByEtherType(etherType: number, packet: Buffer): DecodeResult {
  if (etherType === ETHERTYPE_IPV4) return decodeIpv4(packet);
  if (etherType === ETHERTYPE_IPV6) return decodeIpv6(packet);
  return skip('not-ip');
}

function decodeIp(packet: Buffer): DecodeResult {
  if (packet.length < 1) return skip('truncated');
  const version = (packet[0] ?? 0) >> 4;
  if (version === 4) return decodeIpv4(packet);
  if (version === 6) return decodeIpv6(packet);
  return skip('not-ip');
}

function decodeIpv4(packet: Buffer): DecodeResult {
  if (packet.length < 20) return skip('truncated');
  const headerLength = ((packet[0] ?? 0) & 0x0f) * 4;
  if (headerLength < 20 || packet.length < headerLength) return skip('truncated');
  if (packet[9] !== PROTO_UDP) return skip('not-udp');
  const flagsOffset = packet.readUInt16BE(6);
  const fragmentOffset = flagsOffset & 0x1fff;
  const moreFragments = (flagsOffset & 0x2000) !== 0;
  // Later fragments carry no UDP header; only the first one can be attributed to ports.
  if (fragmentOffset !== 0) return skip('ip-fragment');
  const totalLength = packet.readUInt16BE(2);
  const end = totalLength >= headerLength ? Math.min(totalLength, packet.length) : packet.length;
  const source = Array.from(packet.subarray(12, 16)).join('.');
  const destination = Array.from(packet.subarray(16, 20)).join('.');
  return decodeUdp(packet.subarray(headerLength, end), source, destination, moreFragments);
}

function decodeIpv6(packet: Buffer): DecodeResult {
  if (packet.length < 40) return skip('truncated');
  let next = packet[6] ?? 0;
  let at = 40;
  const end = Math.min(packet.length, 40 + packet.readUInt16BE(4));
  while (next !== PROTO_UDP) {
    if (at + 8 > end) return skip(IPV6_EXTENSIONS.has(next) || next === IPV6_FRAGMENT ? 'truncated' : 'not-udp');
    if (next === IPV6_FRAGMENT) {
      if ((packet.readUInt16BE(at + 2) & 0xfff8) !== 0) return skip('ip-fragment');
      next = packet[at] ?? 0;
      at += 8;
    } else if (IPV6_EXTENSIONS.has(next)) {
      const length = ((packet[at + 1] ?? 0) + 1) * 8;
      next = packet[at] ?? 0;
      at += length;
    } else if (next === IPV6_AH) {
      const length = ((packet[at + 1] ?? 0) + 2) * 4;
      next = packet[at] ?? 0;
      at += length;
    } else {
      return skip('not-udp');
    }
  }
  if (at > end) return skip('truncated');
  return decodeUdp(packet.subarray(at, end), formatIpv6(packet.subarray(8, 24)), formatIpv6(packet.subarray(24, 40)), false);
}

function decodeUdp(segment: Buffer, source: string, destination: string, partial: boolean): DecodeResult {
  if (segment.length < 8) return skip('truncated');
  const length = segment.readUInt16BE(4);
  const available = segment.length - 8;
  // UDP length 0 is legal for IPv6 jumbograms; then the IP length rules.
  const payloadLength = length >= 8 ? Math.min(length - 8, available) : available;
  if (length >= 8 && length - 8 > available && !partial) return skip('truncated');
  return {
    ok: true,
    source,
    sourcePort: segment.readUInt16BE(0),
    destination,
    destinationPort: segment.readUInt16BE(2),
    payload: segment.subarray(8, 8 + payloadLength),
    partial,
  };
}

/** RFC 5952 text form (lower case, longest zero run compressed), as node:net prints addresses. */
export function formatIpv6(bytes: Buffer): string {
  if (bytes.subarray(0, 10).every((b) => b === 0) && bytes.readUInt16BE(10) === 0xffff) {
    return `::ffff:${Array.from(bytes.subarray(12, 16)).join('.')}`;
  }
  return new ipaddr.IPv6(Array.from({ length: 8 }, (_, i) => bytes.readUInt16BE(i * 2))).toRFC5952String();
}
