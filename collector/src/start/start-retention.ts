// Retention of NodeIncidents (config policy.retention, record/retention.ts), run by the leader once
// leading and then every RETENTION_INTERVAL_MS, over the records the watch holds. Deletes one at a time,
// at most MAX_DELETES_PER_PASS a pass, so a large backlog goes away gradually without a burst of writes.
import type { Logger } from 'pino';
import type { CollectorConfig } from '../config/config.js';
import { expiredRecords, type RetentionApi } from '../record/retention.js';

/** How often the leader looks for expired records, ms. */
export const RETENTION_INTERVAL_MS = 600_000;
/** Most records deleted in one pass. */
const MAX_DELETES_PER_PASS = 200;

export interface Retention {
  /** One pass now (also called when this replica starts leading); resolves with the records deleted. */
  pass(): Promise<number>;
  stop(): Promise<void>;
}

export function startRetention(parts: {
  config: CollectorConfig;
  api: RetentionApi;
  records: () => readonly unknown[];
  isLeader: () => boolean;
  now: () => number;
  logger: Logger;
  onDeleted: (name: string) => void;
}): Retention {
  const { config } = parts;
  const settings = {
    maxAgeMs: config.policy.retention.maxAgeMs,
    maxRecords: config.policy.retention.maxRecords,
    // A new leader rebuilds its storm window and its recorded incidents from these records.
    minAgeMs: Math.max(config.policy.storm.windowSeconds, config.takeoverWindowSeconds) * 1000,
  };
  let running: Promise<number> | null = null;
  let stopped = false;

  const run = async (): Promise<number> => {
    const names = expiredRecords(parts.records(), parts.now(), settings, MAX_DELETES_PER_PASS);
    let deleted = 0;
    for (const name of names) {
      if (stopped || !parts.isLeader()) break;
      try {
        await parts.api.deleteIncident(name);
        deleted += 1;
        parts.onDeleted(name);
      } catch (err) {
        parts.logger.warn({ record: name, err }, 'could not delete an expired NodeIncident; trying again at the next pass');
        break;
      }
    }
    if (deleted > 0) parts.logger.info({ deleted, retention: config.policy.retention }, 'expired NodeIncidents deleted');
    return deleted;
  };

  const pass = (): Promise<number> => {
    if (stopped || !parts.isLeader()) return Promise.resolve(0);
    running ??= run().finally(() => (running = null));
    return running;
  };

  const timer = setInterval(() => void pass(), RETENTION_INTERVAL_MS);
  timer.unref();
  return {
    pass,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
