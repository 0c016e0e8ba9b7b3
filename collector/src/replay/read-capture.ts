// Reads classic pcap and pcapng captures from memory, yielding link-layer frames with their capture
// time, or an UnusableFrame for one that has no usable time (reading goes on). A corrupt or truncated
// file raises CaptureError naming the byte offset, after the frames before it were yielded.
import { CaptureError, MAX_FRAME_BYTES, type CaptureEntry, type CapturedFrame } from './capture-frame.js';
import { readPcapng } from './read-pcapng.js';

export { CaptureError, isUnusable, type CaptureEntry, type CapturedFrame, type UnusableFrame } from './capture-frame.js';

const PCAP_MAGIC_US = 0xa1b2c3d4;
const PCAP_MAGIC_NS = 0xa1b23c4d;
const PCAPNG_SHB = 0x0a0d0d0a;
const PCAP_HEADER = 24;
const PCAP_RECORD_HEADER = 16;

export function* readCapture(file: Buffer): Generator<CaptureEntry> {
  if (file.length < 4) throw new CaptureError('file too short for a capture header', 0);
  const magic = file.readUInt32LE(0);
  if (magic === PCAPNG_SHB) {
    yield* readPcapng(file);
    return;
  }
  yield* readPcap(file);
}

function* readPcap(file: Buffer): Generator<CapturedFrame> {
  const le = file.readUInt32LE(0);
  const be = file.readUInt32BE(0);
  let little: boolean;
  let nanos: boolean;
  if (le === PCAP_MAGIC_US || le === PCAP_MAGIC_NS) {
    little = true;
    nanos = le === PCAP_MAGIC_NS;
  } else if (be === PCAP_MAGIC_US || be === PCAP_MAGIC_NS) {
    little = false;
    nanos = be === PCAP_MAGIC_NS;
  } else {
    throw new CaptureError(`not a pcap or pcapng file (magic 0x${be.toString(16).padStart(8, '0')})`, 0);
  }
  if (file.length < PCAP_HEADER) throw new CaptureError('truncated pcap file header', 0);
  const u32 = (at: number): number => (little ? file.readUInt32LE(at) : file.readUInt32BE(at));
  // The link type is the low 16 bits; the high bits may carry FCS information.
  const linkType = u32(20) & 0xffff;
  let offset = PCAP_HEADER;
  while (offset < file.length) {
    if (offset + PCAP_RECORD_HEADER > file.length) throw new CaptureError('truncated packet record header', offset);
    const seconds = u32(offset);
    const fraction = u32(offset + 4);
    const captured = u32(offset + 8);
    if (captured > MAX_FRAME_BYTES) throw new CaptureError(`packet record length ${captured} is implausible`, offset);
    const start = offset + PCAP_RECORD_HEADER;
    if (start + captured > file.length) throw new CaptureError(`truncated packet data (${captured} bytes announced)`, offset);
    yield {
      linkType,
      timestampMs: seconds * 1000 + (nanos ? fraction / 1e6 : fraction / 1e3),
      data: file.subarray(start, start + captured),
      offset,
    };
    offset = start + captured;
  }
}
