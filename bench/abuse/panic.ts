// The real panic the abuse cases send from a source of its own during each flood: a sysrq crash as
// Debian's 6.1 kernel prints it, in the extended format, ending with the end-of-panic line.
import { formatExtended } from '@lastgasp/collector';

/** A loopback address no flood uses (the floods take 127.1.0.0 onwards). */
export const PANIC_SOURCE = '127.99.0.1';

export function panicDatagrams(): Buffer[] {
  const lines = [
    'sysrq: Trigger a crash',
    'Kernel panic - not syncing: sysrq triggered crash',
    'CPU: 0 PID: 1 Comm: sh Not tainted 6.1.0-56-amd64 #1  Debian 6.1.158-1',
    '---[ end Kernel panic - not syncing: sysrq triggered crash ]---',
  ];
  return lines.flatMap((text, i) => formatExtended({ seq: 700 + i, timestampUs: 5_000_000 + i, text, level: i === 1 ? 0 : 6 }));
}
