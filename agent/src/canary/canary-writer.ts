// Writes the canary to /dev/kmsg after every (re)configuration and then every `intervalMs` (> 0; with
// --canary-interval 0 the app creates no writer at all). The counter starts at 1 per process.
import { readFile, writeFile } from 'node:fs/promises';
import type { Logger } from 'pino';
import type { PanicLineState } from '@lastgasp/proto/contract';
import { canaryLevel, kmsgRecord } from './canary-line.js';

export interface CanaryWriter {
  /** Writes one canary now and restarts the periodic timer; resolves to whether it was written. */
  write(why: string): Promise<boolean>;
  stop(): void;
}

export function createCanaryWriter(deps: {
  nodeName: string;
  kmsgPath: string;
  printkPath: string;
  intervalMs: number;
  logger: Logger;
  onWritten: (ok: boolean) => void;
  /** Whether the kernel will send its panic, as last checked (said in the canary); null: not known yet. */
  panicLine?: () => PanicLineState | null;
}): CanaryWriter {
  let counter = 0;
  let timer: NodeJS.Timeout | null = null;
  const schedule = () => {
    if (timer !== null) clearTimeout(timer);
    if (deps.intervalMs > 0) timer = setTimeout(() => void writer.write('periodic'), deps.intervalMs);
  };
  const writer: CanaryWriter = {
    async write(why) {
      schedule();
      try {
        const level = canaryLevel(await readFile(deps.printkPath, 'utf8'));
        if (level === null) {
          deps.logger.warn({ printk: deps.printkPath }, 'console log level lets only emergencies through; canary not written');
          deps.onWritten(false);
          return false;
        }
        counter += 1;
        // One write(2) per record; append so a regular file standing in for /dev/kmsg keeps every line.
        await writeFile(deps.kmsgPath, kmsgRecord(level, deps.nodeName, counter, deps.panicLine?.() ?? null), { flag: 'a' });
        deps.logger.info({ seq: counter, kmsgLevel: level, why }, 'canary written');
        deps.onWritten(true);
        return true;
      } catch (err) {
        deps.logger.warn({ err, kmsg: deps.kmsgPath }, 'canary not written');
        deps.onWritten(false);
        return false;
      }
    },
    stop() {
      if (timer !== null) clearTimeout(timer);
      timer = null;
    },
  };
  return writer;
}
