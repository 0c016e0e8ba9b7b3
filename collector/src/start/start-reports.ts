// What a non-fatal incident produces once tied to a Node (config policy.nonFatal): a count in the Event
// series of its Node and reason (written by the leader), and, only when configured, a NodeIncident of its
// own through the remediator, at most `recordsPerNodePerHour` per Node. Nothing here changes a Node or
// a pod.
import type { Logger } from 'pino';
import type { CollectorConfig } from '../config/config.js';
import { seriesSettings } from '../config/receive-limits.js';
import { nodeEventNote } from '../record/explain.js';
import type { RemediationRequest } from '../record/incident-record.js';
import { seriesEvent } from '../remediate/incident-events.js';
import type { Remediator } from '../remediate/remediator.js';
import { createEventSeries, type SeriesStats } from '../report/event-series.js';
import { startSeriesWriter } from '../report/series-writer.js';
import type { SeriesApi } from '../remediate/cluster-api.js';
import { createTokenBuckets } from '../token-buckets.js';
import type { EventCounters } from './event-counters.js';
import type { Stops } from './stops.js';

export interface NonFatalReports {
  submit(req: RemediationRequest): void;
  stats(): SeriesStats;
}

/** What the series Event says after the first occurrence's explanation. */
export const SERIES_SENTENCE = "Repeats on this node are counted in this Event's series; nothing was changed.";

export function startNonFatalReports(parts: {
  config: CollectorConfig;
  api: SeriesApi;
  remediator: Remediator;
  isLeader: () => boolean;
  events: EventCounters;
  now: () => number;
  logger: Logger;
  stops: Stops;
}): NonFatalReports {
  const { config, now } = parts;
  const policy = config.policy.nonFatal;
  const series = createEventSeries(seriesSettings(config.limits, policy));
  const writer = policy.events
    ? startSeriesWriter({
        series,
        api: parts.api,
        event: seriesEvent,
        isLeader: parts.isLeader,
        now,
        logger: parts.logger,
        onWritten: (w) => parts.events.seriesWritten(w.create ? 'create' : 'update'),
        onFailed: () => parts.events.seriesWritten('failed'),
      })
    : null;
  if (writer !== null) parts.stops.add(() => writer.stop());
  const records = createTokenBuckets({ burst: policy.recordsPerNodePerHour, perMinute: policy.recordsPerNodePerHour / 60 }, config.limits.rateLimitedSources);

  return {
    submit(req) {
      if (writer !== null && series.add(req, () => nodeEventNote(req, SERIES_SENTENCE), now())) writer.kick();
      if (!policy.records) return;
      if (records.take(req.node, now())) parts.remediator.submit(req);
      else parts.events.rateLimited('node-records');
    },
    stats: () => series.stats(),
  };
}
