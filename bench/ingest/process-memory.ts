// Resident memory of a process, from /proc/<pid>/status (VmRSS now, VmHWM the peak), in KiB.
import { readFile } from 'node:fs/promises';

export interface ProcessMemory {
  rssKiB: number;
  peakRssKiB: number;
}

export function parseProcStatus(text: string): ProcessMemory {
  const field = (name: string): number => {
    const match = new RegExp(`^${name}:\\s+(\\d+) kB$`, 'm').exec(text);
    if (!match?.[1]) throw new Error(`/proc status lacks ${name}`);
    return Number(match[1]);
  };
  return { rssKiB: field('VmRSS'), peakRssKiB: field('VmHWM') };
}

export async function processMemory(pid: number): Promise<ProcessMemory> {
  return parseProcStatus(await readFile(`/proc/${pid}/status`, 'utf8'));
}
