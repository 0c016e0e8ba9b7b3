// Writes capture files (pcap, pcapng) and the frames in them: hand-made captures for each format and
// link type, for the tests of the readers (`lastgasp replay`, the compose stack's sender).

/** Link-layer header types of the tcpdump.org registry that the readers handle. */
export const LINKTYPE = {
  NULL: 0,
  ETHERNET: 1,
  RAW: 101,
  LINUX_SLL: 113,
  IPV4: 228,
  IPV6: 229,
  LINUX_SLL2: 276,
} as const;

export interface UdpSpec {
  source: string;
  destination: string;
  sourcePort?: number;
  destinationPort?: number;
  payload: Buffer;
}

export function ipv4Udp(spec: UdpSpec, fragment: { offset: number; more: boolean } = { offset: 0, more: false }): Buffer {
  const udp = udpSegment(spec);
  const header = Buffer.alloc(20);
  header[0] = 0x45;
  header.writeUInt16BE(20 + udp.length, 2);
  header.writeUInt16BE(((fragment.more ? 1 : 0) << 13) | fragment.offset, 6);
  header[8] = 64;
  header[9] = 17;
  spec.source.split('.').forEach((octet, i) => (header[12 + i] = Number(octet)));
  spec.destination.split('.').forEach((octet, i) => (header[16 + i] = Number(octet)));
  return Buffer.concat([header, udp]);
}

/** `extensions`: next-header codes of generic extension headers (0, 43, 60) to put before UDP. */
export function ipv6Udp(spec: UdpSpec, extensions: number[] = []): Buffer {
  const udp = udpSegment(spec);
  const chain = extensions.map((_, i) => {
    const ext = Buffer.alloc(8);
    ext[0] = extensions[i + 1] ?? 17;
    return ext;
  });
  const header = Buffer.alloc(40);
  header[0] = 0x60;
  const payloadLength = udp.length + chain.length * 8;
  header.writeUInt16BE(payloadLength, 4);
  header[6] = extensions[0] ?? 17;
  header[7] = 64;
  ipv6Bytes(spec.source).copy(header, 8);
  ipv6Bytes(spec.destination).copy(header, 24);
  return Buffer.concat([header, ...chain, udp]);
}

export function ethernet(packet: Buffer, vlanIds: number[] = []): Buffer {
  const macs = Buffer.from('525400000002525400000001', 'hex');
  const tags = vlanIds.map((id) => Buffer.from([0x81, 0x00, (id >> 8) & 0x0f, id & 0xff]));
  const type = Buffer.alloc(2);
  type.writeUInt16BE((packet[0] ?? 0) >> 4 === 6 ? 0x86dd : 0x0800);
  return Buffer.concat([macs, ...tags, type, packet]);
}

export function linuxSll(packet: Buffer): Buffer {
  const header = Buffer.alloc(16);
  header.writeUInt16BE(4, 2); // ARPHRD_ETHER ... sent by us
  header.writeUInt16BE(6, 4);
  header.writeUInt16BE((packet[0] ?? 0) >> 4 === 6 ? 0x86dd : 0x0800, 14);
  return Buffer.concat([header, packet]);
}

export function linuxSll2(packet: Buffer): Buffer {
  const header = Buffer.alloc(20);
  header.writeUInt16BE((packet[0] ?? 0) >> 4 === 6 ? 0x86dd : 0x0800, 0);
  header.writeUInt32BE(2, 4); // interface index
  header.writeUInt16BE(1, 8); // ARPHRD_ETHER
  header[11] = 6;
  return Buffer.concat([header, packet]);
}

export interface CaptureRecord {
  timestampMs: number;
  /** pcapng only: the raw 64-bit timestamp in the interface's units, instead of timestampMs. */
  units?: bigint;
  data: Buffer;
  /** pcapng only: index into the interfaces given. */
  interfaceId?: number;
}

export function writePcap(records: CaptureRecord[], options: { linkType: number; bigEndian?: boolean; nanos?: boolean }): Buffer {
  const be = options.bigEndian === true;
  const u32 = (buf: Buffer, value: number, at: number): void => {
    if (be) buf.writeUInt32BE(value >>> 0, at);
    else buf.writeUInt32LE(value >>> 0, at);
  };
  const header = Buffer.alloc(24);
  u32(header, options.nanos === true ? 0xa1b23c4d : 0xa1b2c3d4, 0);
  if (be) {
    header.writeUInt16BE(2, 4);
    header.writeUInt16BE(4, 6);
  } else {
    header.writeUInt16LE(2, 4);
    header.writeUInt16LE(4, 6);
  }
  u32(header, 262144, 16);
  u32(header, options.linkType, 20);
  const parts: Buffer[] = [header];
  for (const record of records) {
    const head = Buffer.alloc(16);
    const seconds = Math.floor(record.timestampMs / 1000);
    const ms = record.timestampMs - seconds * 1000;
    u32(head, seconds, 0);
    u32(head, Math.round(options.nanos === true ? ms * 1e6 : ms * 1e3), 4);
    u32(head, record.data.length, 8);
    u32(head, record.data.length, 12);
    parts.push(head, record.data);
  }
  return Buffer.concat(parts);
}

export interface PcapngInterface {
  linkType: number;
  /** if_tsresol byte; default 6 (µs). 9 = ns; 0x80 | n = 2^-n. */
  tsresol?: number;
  /** if_tsoffset: seconds added to every timestamp of the interface (signed 64-bit). */
  tsoffset?: bigint;
}

export function writePcapng(records: CaptureRecord[], interfaces: PcapngInterface[], options: { bigEndian?: boolean; simple?: boolean } = {}): Buffer {
  const be = options.bigEndian === true;
  const block = (type: number, body: Buffer): Buffer => {
    const padded = Buffer.concat([body, Buffer.alloc((4 - (body.length % 4)) % 4)]);
    const out = Buffer.alloc(12 + padded.length);
    const length = out.length;
    writeU32(out, type, 0, be);
    writeU32(out, length, 4, be);
    padded.copy(out, 8);
    writeU32(out, length, length - 4, be);
    return out;
  };
  const shb = Buffer.alloc(16);
  writeU32(shb, 0x1a2b3c4d, 0, be);
  writeU16(shb, 1, 4, be);
  shb.writeBigInt64LE(-1n, 8);
  const parts: Buffer[] = [block(0x0a0d0d0a, shb)];
  for (const iface of interfaces) {
    const body = Buffer.alloc(iface.tsoffset === undefined ? 16 : 28);
    writeU16(body, iface.linkType, 0, be);
    writeU32(body, 262144, 4, be);
    writeU16(body, 9, 8, be); // if_tsresol
    writeU16(body, 1, 10, be);
    body[12] = iface.tsresol ?? 6;
    if (iface.tsoffset !== undefined) {
      writeU16(body, 14, 16, be); // if_tsoffset
      writeU16(body, 8, 18, be);
      if (be) body.writeBigInt64BE(iface.tsoffset, 20);
      else body.writeBigInt64LE(iface.tsoffset, 20);
    }
    parts.push(block(1, body)); // options end implicitly at the block end
  }
  for (const record of records) {
    if (options.simple === true) {
      const body = Buffer.alloc(4 + record.data.length);
      writeU32(body, record.data.length, 0, be);
      record.data.copy(body, 4);
      parts.push(block(3, body));
      continue;
    }
    const iface = interfaces[record.interfaceId ?? 0];
    const resolution = iface?.tsresol ?? 6;
    const perSecond = resolution & 0x80 ? 2n ** BigInt(resolution & 0x7f) : 10n ** BigInt(resolution);
    const units = record.units ?? (BigInt(Math.round(record.timestampMs * 1000)) * perSecond) / 1_000_000n;
    const body = Buffer.alloc(20 + record.data.length);
    writeU32(body, record.interfaceId ?? 0, 0, be);
    writeU32(body, Number(units >> 32n), 4, be);
    writeU32(body, Number(units & 0xffffffffn), 8, be);
    writeU32(body, record.data.length, 12, be);
    writeU32(body, record.data.length, 16, be);
    record.data.copy(body, 20);
    parts.push(block(6, body));
  }
  return Buffer.concat(parts);
}

/** Frames a raw IP packet for a link type (the inverse of decodeFrame's first step). */
export function frameFor(linkType: number, packet: Buffer): Buffer {
  switch (linkType) {
    case LINKTYPE.ETHERNET:
      return ethernet(packet);
    case LINKTYPE.LINUX_SLL:
      return linuxSll(packet);
    case LINKTYPE.LINUX_SLL2:
      return linuxSll2(packet);
    case LINKTYPE.NULL: {
      const family = Buffer.alloc(4);
      family.writeUInt32LE((packet[0] ?? 0) >> 4 === 6 ? 30 : 2);
      return Buffer.concat([family, packet]);
    }
    default:
      return packet;
  }
}

function udpSegment(spec: UdpSpec): Buffer {
  const header = Buffer.alloc(8);
  header.writeUInt16BE(spec.sourcePort ?? 6665, 0);
  header.writeUInt16BE(spec.destinationPort ?? 6666, 2);
  header.writeUInt16BE(8 + spec.payload.length, 4);
  return Buffer.concat([header, spec.payload]);
}

function ipv6Bytes(text: string): Buffer {
  const [head = '', tail = ''] = text.split('::');
  const parse = (part: string): number[] => (part === '' ? [] : part.split(':').map((group) => parseInt(group, 16)));
  const left = parse(head);
  const right = text.includes('::') ? parse(tail) : [];
  const groups = [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
  const out = Buffer.alloc(16);
  groups.forEach((group, i) => out.writeUInt16BE(group, i * 2));
  return out;
}

function writeU32(buf: Buffer, value: number, at: number, be: boolean): void {
  if (be) buf.writeUInt32BE(value >>> 0, at);
  else buf.writeUInt32LE(value >>> 0, at);
}

function writeU16(buf: Buffer, value: number, at: number, be: boolean): void {
  if (be) buf.writeUInt16BE(value, at);
  else buf.writeUInt16LE(value, at);
}
