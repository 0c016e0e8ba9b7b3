// Writes the Event series (event-series.ts) to the cluster while this replica leads: a new series at
// once, repeats at most every refresh, at most WRITES_AT_ONCE requests in flight. A failed write stays
// due and is tried again at the next refresh; followers keep counting and write nothing.
import type { Logger } from 'pino';
import type { EventSpec, SeriesApi } from '../remediate/cluster-api.js';
import type { EventSeries, SeriesWrite } from './event-series.js';

export interface SeriesWriter {
  /** A new series started: write it now rather than at the next tick. */
  kick(): void;
  stop(): Promise<void>;
}

/** Requests in flight at once. */
const WRITES_AT_ONCE = 8;
/** How often due counts are looked for, ms. */
const TICK_MS = 1000;

export function startSeriesWriter(opts: {
  series: EventSeries;
  api: SeriesApi;
  /** The Event a series is written as. */
  event: (w: SeriesWrite) => EventSpec;
  isLeader: () => boolean;
  now: () => number;
  logger: Logger;
  /** A series' Event was created or its count updated. */
  onWritten?: (w: SeriesWrite) => void;
  /** A write failed (it is tried again). */
  onFailed?: (w: SeriesWrite) => void;
}): SeriesWriter {
  let running: Promise<void> | null = null;
  let again = false;
  let stopped = false;

  const writeOne = async (w: SeriesWrite): Promise<void> => {
    let ok = false;
    try {
      await opts.api.writeEventSeries(opts.event(w), { count: w.count, firstAt: w.firstAt, lastAt: w.lastAt }, w.create);
      ok = true;
      opts.onWritten?.(w);
    } catch (err) {
      opts.onFailed?.(w);
      opts.logger.warn({ node: w.node, reason: w.reason, count: w.count, err }, 'could not write the Event series; retrying at the next refresh');
    } finally {
      opts.series.written(w, ok, opts.now());
    }
  };

  const flush = async (): Promise<void> => {
    do {
      again = false;
      if (stopped) return;
      opts.series.expire(opts.now());
      if (!opts.isLeader()) return;
      const writes = opts.series.due(opts.now());
      for (let i = 0; i < writes.length; i += WRITES_AT_ONCE) {
        await Promise.all(writes.slice(i, i + WRITES_AT_ONCE).map(writeOne));
      }
    } while (again);
  };

  const kick = (): void => {
    if (running !== null) {
      again = true;
      return;
    }
    running = flush().finally(() => (running = null));
  };

  const timer = setInterval(kick, TICK_MS);
  timer.unref();
  return {
    kick,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
