// The kernel's own count of datagrams dropped on a UDP socket (receive buffer full), read from
// /proc/net/udp{,6} by local port. It tells a receive-buffer overflow apart from loss elsewhere.
import { readFile } from 'node:fs/promises';

/** Sums the `drops` column over all sockets bound to `port` (IPv4 and IPv6 tables). */
export function parseSocketDrops(table: string, port: number): number | null {
  let found = false;
  let drops = 0;
  for (const line of table.split('\n').slice(1)) {
    const fields = line.trim().split(/\s+/);
    const local = fields[1];
    const last = fields[fields.length - 1];
    if (local === undefined || last === undefined || fields.length < 13) continue;
    const hexPort = local.split(':')[1];
    if (hexPort === undefined || Number.parseInt(hexPort, 16) !== port) continue;
    found = true;
    drops += Number(last);
  }
  return found ? drops : null;
}

export async function socketDrops(port: number): Promise<number | null> {
  let total: number | null = null;
  for (const file of ['/proc/net/udp', '/proc/net/udp6']) {
    let table: string;
    try {
      table = await readFile(file, 'utf8');
    } catch {
      continue;
    }
    const drops = parseSocketDrops(table, port);
    if (drops !== null) total = (total ?? 0) + drops;
  }
  return total;
}
