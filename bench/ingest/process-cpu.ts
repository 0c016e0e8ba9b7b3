// CPU time a process has used (user + system, all threads), from /proc/<pid>/stat. Unlike wall-clock
// rates it hardly depends on how busy the rest of the machine is, so µs of CPU per datagram compares
// receivers even on a shared machine.
import { readFile } from 'node:fs/promises';

/** USER_HZ: /proc reports times in these ticks per second; 100 on every Linux architecture we run on. */
const TICKS_PER_SECOND = 100;

/** Seconds of user + system CPU from the text of /proc/<pid>/stat. */
export function parseProcStatCpu(text: string): number {
  // The command name (field 2) is in parentheses and may contain spaces: count fields after the last ')'.
  const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // After the name: state is field 3, so utime (field 14) and stime (field 15) are at 11 and 12 here.
  const utime = Number(rest[11]);
  const stime = Number(rest[12]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) throw new Error('unexpected /proc/<pid>/stat format');
  return (utime + stime) / TICKS_PER_SECOND;
}

export async function processCpuSeconds(pid: number): Promise<number> {
  return parseProcStatCpu(await readFile(`/proc/${pid}/stat`, 'utf8'));
}
