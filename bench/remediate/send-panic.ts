// A kernel panic as netconsole sends it (extended format, one record per datagram), from a Node's
// address inside the test bed's node address pool, so the collector ties it to that Node. The node is
// dead before its last gasp leaves — its address already drops every SYN (the pool's kill), as a
// panicked kernel's does — and the gasp still goes out, as netconsole's does: the sender writes the
// packets' headers itself. The records end with the end-of-panic line, so the collector's probe starts
// at once (no settle delay), as it does for a real kernel.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { formatExtended } from '@lastgasp/collector';

const run = promisify(execFile);
const PANIC_LINE = 'Kernel panic - not syncing: sysrq triggered crash';

/**
 * Prints the wall clock just before the panic line leaves, then sends every datagram given in hex as
 * an IPv4/UDP packet from `src` through a raw socket: the address is no longer local (killed), and a
 * raw socket writes its own header, as a panicking kernel's netpoll does.
 */
const SENDER = `
import socket, struct, sys, time
src, dst, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
for h in sys.argv[4:]:
    if h == 'PANIC':
        print(time.time() * 1000, flush=True)
        continue
    payload = bytes.fromhex(h)
    udp = struct.pack('!HHHH', 6665, port, 8 + len(payload), 0) + payload
    ip = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(udp), 0, 0, 64, 17, 0, socket.inet_aton(src), socket.inet_aton(dst))
    s.sendto(ip + udp, (dst, 0))
`;

/** The datagrams of a sysrq panic in hex, with `PANIC` right before the panic line. */
export function panicDatagrams(seq: number): string[] {
  const record = (i: number, text: string, level: number): string[] =>
    formatExtended({ seq: seq + i, timestampUs: (seq + i) * 1000, text, level }).map((b) => b.toString('hex'));
  return [
    ...record(0, 'sysrq: Trigger a crash', 6),
    'PANIC',
    ...record(1, PANIC_LINE, 0),
    ...record(2, 'CPU: 0 PID: 1 Comm: sh Not tainted 6.1.0-56-amd64 #1  Debian 6.1.158-1', 4),
    ...record(3, `---[ end ${PANIC_LINE} ]---`, 0),
  ];
}

/**
 * Sends the panic from `fromIp` inside `netns` to the collector at `to`:`port`. Resolves with the
 * moment the panic line left as `performance.now()` of this process: the origin of every latency the
 * benchmark reports.
 */
export async function sendPanic(netns: string, fromIp: string, to: string, port: number, seq: number): Promise<number> {
  const { stdout } = await run('ip', ['netns', 'exec', netns, 'python3', '-c', SENDER, fromIp, to, String(port), ...panicDatagrams(seq)]);
  const wallMs = Number(stdout.trim());
  if (!Number.isFinite(wallMs)) throw new Error(`the panic sender printed no time: ${stdout}`);
  return wallMs - performance.timeOrigin;
}
