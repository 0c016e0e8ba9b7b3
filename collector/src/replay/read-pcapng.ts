// pcapng reader: Section Header, Interface Description (link type, if_tsresol, if_tsoffset),
// Enhanced, Simple and (obsolete) Packet blocks; other blocks are skipped. Each section may have its
// own byte order and interfaces. Times are computed exactly (bigint); a packet whose time a Date
// cannot hold (e.g. if_tsresol 0 with a 2^64−1 timestamp, or an if_tsoffset of ±2^62 s) is yielded
// as an UnusableFrame and reading goes on.
import { CaptureError, MAX_FRAME_BYTES, MAX_TIME_MS, type CaptureEntry, type UnusableFrame } from './capture-frame.js';

const SHB = 0x0a0d0d0a;
const IDB = 0x00000001;
const PB = 0x00000002;
const SPB = 0x00000003;
const EPB = 0x00000006;
const BYTE_ORDER_MAGIC = 0x1a2b3c4d;
const OPT_END = 0;
const OPT_TSRESOL = 9;
const OPT_TSOFFSET = 14;

interface Interface {
  linkType: number;
  /** Timestamp units per second. */
  unitsPerSecond: bigint;
  offsetSeconds: bigint;
}

const MAX_TIME_MS_BIG = BigInt(MAX_TIME_MS);

interface Section {
  little: boolean;
  interfaces: Interface[];
  lastTimestampMs: number;
}

export function* readPcapng(file: Buffer): Generator<CaptureEntry> {
  let offset = 0;
  let section: Section | null = null;
  while (offset < file.length) {
    if (offset + 12 > file.length) throw new CaptureError('truncated block header', offset);
    if (file.readUInt32LE(offset) === SHB) section = readSectionHeader(file, offset);
    if (section === null) throw new CaptureError('pcapng block before any section header', offset);
    const little = section.little;
    const type = little ? file.readUInt32LE(offset) : file.readUInt32BE(offset);
    const length = little ? file.readUInt32LE(offset + 4) : file.readUInt32BE(offset + 4);
    if (length < 12 || length % 4 !== 0 || length > MAX_FRAME_BYTES) {
      throw new CaptureError(`bad block length ${length}`, offset);
    }
    if (offset + length > file.length) throw new CaptureError(`truncated block (${length} bytes announced)`, offset);
    const trailer = little ? file.readUInt32LE(offset + length - 4) : file.readUInt32BE(offset + length - 4);
    if (trailer !== length) throw new CaptureError(`block length ${length} disagrees with trailer ${trailer}`, offset);
    const body = file.subarray(offset + 8, offset + length - 4);
    const frame = readBlock(section, type, body, offset);
    if (frame !== null) yield frame;
    offset += length;
  }
}

function readSectionHeader(file: Buffer, offset: number): Section {
  const magic = file.readUInt32LE(offset + 8);
  if (magic === BYTE_ORDER_MAGIC) return { little: true, interfaces: [], lastTimestampMs: 0 };
  if (file.readUInt32BE(offset + 8) === BYTE_ORDER_MAGIC) return { little: false, interfaces: [], lastTimestampMs: 0 };
  throw new CaptureError('section header with unknown byte-order magic', offset);
}

function readBlock(section: Section, type: number, body: Buffer, offset: number): CaptureEntry | null {
  const little = section.little;
  const u32 = (at: number): number => (little ? body.readUInt32LE(at) : body.readUInt32BE(at));
  switch (type) {
    case IDB: {
      if (body.length < 8) throw new CaptureError('truncated interface description block', offset);
      const linkType = little ? body.readUInt16LE(0) : body.readUInt16BE(0);
      section.interfaces.push({ linkType, ...readInterfaceOptions(body.subarray(8), little, offset) });
      return null;
    }
    case EPB:
    case PB: {
      if (body.length < 20) throw new CaptureError('truncated packet block', offset);
      const id = type === EPB ? u32(0) : little ? body.readUInt16LE(0) : body.readUInt16BE(0);
      const iface = section.interfaces[id];
      if (iface === undefined) throw new CaptureError(`packet for unknown interface ${id}`, offset);
      const captured = u32(12);
      if (20 + captured > body.length) throw new CaptureError(`packet length ${captured} exceeds its block`, offset);
      const units = (BigInt(u32(4)) << 32n) | BigInt(u32(8));
      const timestampMs = toMs(units, iface);
      if (typeof timestampMs !== 'number') return { ...timestampMs, offset };
      section.lastTimestampMs = timestampMs;
      return { linkType: iface.linkType, timestampMs, data: body.subarray(20, 20 + captured), offset };
    }
    case SPB: {
      if (body.length < 4) throw new CaptureError('truncated simple packet block', offset);
      const iface = section.interfaces[0];
      if (iface === undefined) throw new CaptureError('simple packet block before any interface', offset);
      // No captured length and no timestamp: the data is what fits, the time that of the last packet.
      const captured = Math.min(u32(0), body.length - 4);
      return { linkType: iface.linkType, timestampMs: section.lastTimestampMs, data: body.subarray(4, 4 + captured), offset };
    }
    default:
      return null;
  }
}

function readInterfaceOptions(options: Buffer, little: boolean, offset: number): Omit<Interface, 'linkType'> {
  let unitsPerSecond = 1_000_000n;
  let offsetSeconds = 0n;
  let at = 0;
  while (at + 4 <= options.length) {
    const code = little ? options.readUInt16LE(at) : options.readUInt16BE(at);
    const length = little ? options.readUInt16LE(at + 2) : options.readUInt16BE(at + 2);
    if (code === OPT_END) break;
    const value = at + 4;
    if (value + length > options.length) throw new CaptureError('truncated interface option', offset);
    if (code === OPT_TSRESOL && length >= 1) {
      const resolution = options.readUInt8(value);
      const exponent = BigInt(resolution & 0x7f);
      unitsPerSecond = resolution & 0x80 ? 2n ** exponent : 10n ** exponent;
    } else if (code === OPT_TSOFFSET && length >= 8) {
      offsetSeconds = little ? options.readBigInt64LE(value) : options.readBigInt64BE(value);
    }
    at = value + Math.ceil(length / 4) * 4;
  }
  return { unitsPerSecond, offsetSeconds };
}

/** ms since the epoch (fractional), or why there is none. */
function toMs(units: bigint, iface: Interface): number | Omit<UnusableFrame, 'offset'> {
  const perSecond = iface.unitsPerSecond;
  const scaled = units * 1000n;
  const wholeMs = scaled / perSecond + iface.offsetSeconds * 1000n;
  if (wholeMs > MAX_TIME_MS_BIG || wholeMs < -MAX_TIME_MS_BIG) {
    return {
      unusable: 'time-out-of-range',
      detail: `timestamp ${units} at ${perSecond} units/s with offset ${iface.offsetSeconds} s is no representable time`,
    };
  }
  return Number(wholeMs) + Number(scaled % perSecond) / Number(perSecond);
}
