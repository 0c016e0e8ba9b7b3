// Pure pieces of the canary: the /dev/kmsg record, and the level the console log level lets through.
// The line itself is the wire contract the collector recognises (@lastgasp/proto/contract).
import { formatCanary, type PanicLineState } from '@lastgasp/proto/contract';

/**
 * Level for the canary from /proc/sys/kernel/printk (first field = console_loglevel: consoles print
 * records whose level is numerically lower). The least severe level that still passes, at most 6
 * (info). Null when only level 0 (emerg) would pass: that would be broadcast to every terminal.
 */
export function canaryLevel(printk: string): number | null {
  const consoleLevel = Number(printk.trim().split(/\s+/)[0]);
  if (!Number.isInteger(consoleLevel)) return null;
  const level = Math.min(consoleLevel - 1, 6);
  return level >= 1 ? level : null;
}

/** The /dev/kmsg record: `<level>` then the text (userspace records get the user facility). */
export function kmsgRecord(level: number, node: string, counter: number, panicLine: PanicLineState | null = null): string {
  return `<${level}>${formatCanary(node, counter, panicLine)}\n`;
}
