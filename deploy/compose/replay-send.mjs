#!/usr/bin/env node
// Sends the UDP payloads of a packet capture to a collector, keeping their order and (scaled, capped)
// spacing, from a fixed local port like the kernel's netconsole (6665). Used by docker-compose.yml to
// replay a real kernel panic at the collector; plain JavaScript with no dependencies, so it runs from
// a plain Node.js image without a build.
//
//   node replay-send.mjs --pcap FILE --to HOST:PORT [--from-port 6665] [--dest-port 0]
//                        [--speed 1] [--max-gap-ms 1000]
//
// Reads classic libpcap files (either byte order, micro- or nanosecond timestamps) with link types
// Ethernet (with VLAN tags), raw IP, Linux cooked v1/v2 and BSD loopback; IPv4 and IPv6. Only UDP
// datagrams to --dest-port are sent (any port when 0, the default). Exit codes: 0 sent, 1 bad capture or send
// failure, 2 bad arguments.
import { readFile } from 'node:fs/promises';
import { createSocket } from 'node:dgram';
import { lookup } from 'node:dns/promises';
import { isIPv6 } from 'node:net';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const LINKTYPE = { NULL: 0, ETHERNET: 1, RAW: 101, LINUX_SLL: 113, LOOP: 108, LINUX_SLL2: 276, IPV4: 228, IPV6: 229 };
const ETHERTYPE = { IPV4: 0x0800, IPV6: 0x86dd, VLAN: 0x8100, QINQ: 0x88a8 };
const IPPROTO_UDP = 17;

/** A capture we cannot read. */
export class CaptureError extends Error {}

/**
 * Parses a classic pcap file into its UDP datagrams, in file order.
 * Returns [{ atMs, srcPort, dstPort, payload }]; packets that are not UDP over IP are left out.
 * Throws CaptureError when the file is not a classic pcap or is truncated in its header.
 */
export function readPcapUdp(buf) {
  if (buf.length < 24) throw new CaptureError('capture shorter than a pcap header');
  const magicLE = buf.readUInt32LE(0);
  let le;
  let nanos;
  if (magicLE === 0xa1b2c3d4 || magicLE === 0xa1b23c4d) {
    le = true;
    nanos = magicLE === 0xa1b23c4d;
  } else if (buf.readUInt32BE(0) === 0xa1b2c3d4 || buf.readUInt32BE(0) === 0xa1b23c4d) {
    le = false;
    nanos = buf.readUInt32BE(0) === 0xa1b23c4d;
  } else if (magicLE === 0x0a0d0d0a) {
    throw new CaptureError('pcapng is not supported: convert with `editcap -F pcap in.pcapng out.pcap`');
  } else {
    throw new CaptureError(`not a pcap file (magic 0x${magicLE.toString(16)})`);
  }
  const u32 = (off) => (le ? buf.readUInt32LE(off) : buf.readUInt32BE(off));
  const linkType = u32(20) & 0x0fffffff;
  const out = [];
  let off = 24;
  while (off + 16 <= buf.length) {
    const sec = u32(off);
    const frac = u32(off + 4);
    const inclLen = u32(off + 8);
    const start = off + 16;
    if (start + inclLen > buf.length) break; // truncated last record: stop, keep what we have
    const frame = buf.subarray(start, start + inclLen);
    off = start + inclLen;
    const udp = udpFromFrame(frame, linkType);
    if (udp) out.push({ atMs: sec * 1000 + (nanos ? frac / 1e6 : frac / 1e3), ...udp });
  }
  return out;
}

function udpFromFrame(frame, linkType) {
  switch (linkType) {
    case LINKTYPE.ETHERNET:
      return fromEthernet(frame);
    case LINKTYPE.RAW:
    case LINKTYPE.IPV4:
    case LINKTYPE.IPV6:
      return fromIp(frame);
    case LINKTYPE.LINUX_SLL:
      return frame.length >= 16 ? fromEtherType(frame.readUInt16BE(14), frame.subarray(16)) : null;
    case LINKTYPE.LINUX_SLL2:
      return frame.length >= 20 ? fromEtherType(frame.readUInt16BE(0), frame.subarray(20)) : null;
    case LINKTYPE.NULL:
    case LINKTYPE.LOOP:
      return frame.length >= 4 ? fromIp(frame.subarray(4)) : null;
    default:
      throw new CaptureError(`unsupported link type ${linkType}`);
  }
}

function fromEthernet(frame) {
  let off = 12;
  while (off + 2 <= frame.length) {
    const type = frame.readUInt16BE(off);
    if (type === ETHERTYPE.VLAN || type === ETHERTYPE.QINQ) {
      off += 4;
      continue;
    }
    return fromEtherType(type, frame.subarray(off + 2));
  }
  return null;
}

function fromEtherType(type, payload) {
  return type === ETHERTYPE.IPV4 || type === ETHERTYPE.IPV6 ? fromIp(payload) : null;
}

function fromIp(packet) {
  if (packet.length < 1) return null;
  const version = packet[0] >> 4;
  if (version === 4) {
    if (packet.length < 20) return null;
    const ihl = (packet[0] & 0x0f) * 4;
    const totalLen = packet.readUInt16BE(2);
    const fragment = packet.readUInt16BE(6) & 0x3fff; // MF flag or offset: not a whole datagram
    if (packet[9] !== IPPROTO_UDP || fragment !== 0) return null;
    return fromUdp(packet.subarray(ihl, Math.min(totalLen, packet.length)));
  }
  if (version === 6) {
    if (packet.length < 40) return null;
    // Extension headers are not followed: netconsole never sends them.
    if (packet[6] !== IPPROTO_UDP) return null;
    return fromUdp(packet.subarray(40, 40 + packet.readUInt16BE(4)));
  }
  return null;
}

function fromUdp(seg) {
  if (seg.length < 8) return null;
  const len = seg.readUInt16BE(4);
  if (len < 8 || len > seg.length) return null;
  return { srcPort: seg.readUInt16BE(0), dstPort: seg.readUInt16BE(2), payload: seg.subarray(8, len) };
}

/** Splits "host:port" / "[v6]:port". */
export function parseHostPort(text) {
  const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d+)$/.exec(text);
  const port = m ? Number(m[3]) : NaN;
  if (!m || !(port > 0 && port < 65536)) throw new RangeError(`--to: expected HOST:PORT, got "${text}"`);
  return { host: m[1] ?? m[2], port };
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function main(argv) {
  const { values } = parseArgs({
    args: argv,
    options: {
      pcap: { type: 'string' },
      to: { type: 'string' },
      'from-port': { type: 'string', default: '6665' },
      'dest-port': { type: 'string', default: '0' },
      speed: { type: 'string', default: '1' },
      'max-gap-ms': { type: 'string', default: '1000' },
    },
  });
  if (!values.pcap || !values.to) throw new RangeError('--pcap and --to are required');
  const { host, port } = parseHostPort(values.to);
  const fromPort = Number(values['from-port']);
  const destPort = Number(values['dest-port']);
  const speed = Number(values.speed);
  const maxGapMs = Number(values['max-gap-ms']);
  if (!(speed > 0) || !(maxGapMs >= 0) || !(fromPort >= 0 && fromPort < 65536) || !(destPort >= 0)) {
    throw new RangeError('--speed must be > 0, --max-gap-ms >= 0, ports 0..65535');
  }

  const all = readPcapUdp(await readFile(values.pcap));
  const datagrams = destPort === 0 ? all : all.filter((d) => d.dstPort === destPort);
  if (datagrams.length === 0) throw new CaptureError(`no UDP datagrams to port ${destPort} in ${values.pcap}`);

  const { address, family } = await lookup(host);
  const socket = createSocket({ type: family === 6 || isIPv6(address) ? 'udp6' : 'udp4' });
  await new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(fromPort, () => {
      socket.off('error', reject);
      resolve();
    });
  });
  try {
    let prev = datagrams[0].atMs;
    for (const d of datagrams) {
      const gap = Math.min((d.atMs - prev) / speed, maxGapMs);
      prev = d.atMs;
      if (gap > 0) await sleep(gap);
      await new Promise((resolve, reject) => socket.send(d.payload, port, address, (err) => (err ? reject(err) : resolve())));
    }
  } finally {
    socket.close();
  }
  process.stdout.write(`replay-send: sent ${datagrams.length} datagrams from ${values.pcap} to ${address}:${port}\n`);
}

const invokedDirectly = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (invokedDirectly) {
  main(process.argv.slice(2)).then(
    () => {
      process.exitCode = 0;
    },
    (err) => {
      process.stderr.write(`replay-send: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = err instanceof RangeError || err?.code?.startsWith?.('ERR_PARSE_ARGS') ? 2 : 1;
    },
  );
}
