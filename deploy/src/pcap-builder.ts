// Writes small classic-pcap captures for tests: UDP datagrams in the link-layer framings that
// replay-send.mjs reads.

export const LINKTYPE_ETHERNET = 1;
export const LINKTYPE_LINUX_SLL2 = 276;

export interface Frame {
  /** Capture time, ms since the epoch. */
  atMs: number;
  bytes: Buffer;
}

function udp(srcPort: number, dstPort: number, payload: Buffer): Buffer {
  const header = Buffer.alloc(8);
  header.writeUInt16BE(srcPort, 0);
  header.writeUInt16BE(dstPort, 2);
  header.writeUInt16BE(8 + payload.length, 4);
  return Buffer.concat([header, payload]);
}

export function ipv4(protocol: number, segment: Buffer): Buffer {
  const header = Buffer.alloc(20);
  header[0] = 0x45;
  header.writeUInt16BE(20 + segment.length, 2);
  header[8] = 64;
  header[9] = protocol;
  Buffer.from([192, 0, 2, 1]).copy(header, 12);
  Buffer.from([192, 0, 2, 2]).copy(header, 16);
  return Buffer.concat([header, segment]);
}

function ipv6Udp(segment: Buffer): Buffer {
  const header = Buffer.alloc(40);
  header[0] = 0x60;
  header.writeUInt16BE(segment.length, 4);
  header[6] = 17;
  header[7] = 64;
  header[23] = 1; // ::1 → ::2, the addresses do not matter to the sender
  header[39] = 2;
  return Buffer.concat([header, segment]);
}

export function udp4(srcPort: number, dstPort: number, payload: Buffer): Buffer {
  return ipv4(17, udp(srcPort, dstPort, payload));
}

export function udp6(srcPort: number, dstPort: number, payload: Buffer): Buffer {
  return ipv6Udp(udp(srcPort, dstPort, payload));
}

/** Ethernet II, optionally 802.1Q-tagged. */
export function ethernet(ip: Buffer, opts: { vlan?: number } = {}): Buffer {
  const macs = Buffer.alloc(12, 0x02);
  const type = Buffer.alloc(2);
  type.writeUInt16BE((ip[0] ?? 0) >> 4 === 6 ? 0x86dd : 0x0800);
  if (opts.vlan === undefined) return Buffer.concat([macs, type, ip]);
  const tag = Buffer.alloc(4);
  tag.writeUInt16BE(0x8100, 0);
  tag.writeUInt16BE(opts.vlan, 2);
  return Buffer.concat([macs, tag, type, ip]);
}

/** Linux cooked capture v2 (what `tcpdump -i any` writes). */
export function linuxSll2(ip: Buffer): Buffer {
  const header = Buffer.alloc(20);
  header.writeUInt16BE((ip[0] ?? 0) >> 4 === 6 ? 0x86dd : 0x0800, 0);
  return Buffer.concat([header, ip]);
}

/** A little-endian, microsecond classic pcap file. */
export function pcap(linkType: number, frames: Frame[]): Buffer {
  const header = Buffer.alloc(24);
  header.writeUInt32LE(0xa1b2c3d4, 0);
  header.writeUInt16LE(2, 4);
  header.writeUInt16LE(4, 6);
  header.writeUInt32LE(262144, 16);
  header.writeUInt32LE(linkType, 20);
  const records = frames.map((f) => {
    const rec = Buffer.alloc(16);
    rec.writeUInt32LE(Math.floor(f.atMs / 1000), 0);
    rec.writeUInt32LE(Math.round((f.atMs % 1000) * 1000), 4);
    rec.writeUInt32LE(f.bytes.length, 8);
    rec.writeUInt32LE(f.bytes.length, 12);
    return Buffer.concat([rec, f.bytes]);
  });
  return Buffer.concat([header, ...records]);
}
