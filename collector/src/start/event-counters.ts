// The one observer of incident and remediation events. Each event is counted once, in the prom-client
// counter /metrics serves; GetStatus reads its totals back from those same counters, so the two can
// never disagree and nothing is tallied twice. The receive path's counters live in the listener and the
// pipeline instead (receive-counters.ts).
import type { Counter } from 'prom-client';
import type { CollectorCounters } from '../api/index.js';
import type { CollectorMetrics } from '../http/metrics.js';
import type { RemediationObserver } from '../remediate/remediate-incident.js';
import type { RejectReason } from '../resolve/resolve-node.js';
import { isReasonCode, type Incident, type ReasonCode } from '../types.js';

/** The event counters GetStatus reports. */
export type EventTotals = Pick<CollectorCounters, 'unknownSources' | 'incidentsByKind' | 'nodesRemediated' | 'podsDeleted' | 'incidentsHeld'>;

export interface EventCounters {
  incidentOpened(incident: Incident): void;
  /** An incident whose sender could not be tied to one Node. */
  rejected(reason: RejectReason): void;
  remediation: RemediationObserver;
  /** A non-fatal incident over a rate limit (see lastgasp_incidents_rate_limited_total). */
  rateLimited(limit: 'source' | 'node-records'): void;
  /** An Event series write. */
  seriesWritten(kind: 'create' | 'update' | 'failed'): void;
  /** Retention deleted a finished NodeIncident. */
  recordDeleted(): void;
  /** A Kubernetes watch of `informer` restarted, after an error or a silence. */
  watchRestarted(informer: string, reason: 'error' | 'silence'): void;
  totals(): Promise<EventTotals>;
}

async function sum<T extends string>(counter: Counter<T>): Promise<number> {
  return (await counter.get()).values.reduce((total, v) => total + v.value, 0);
}

/** Kinds seen at least once (the counter holds every kind from the start, at 0). */
async function byKind(counter: Counter<'kind' | 'fatal'>): Promise<Partial<Record<ReasonCode, number>>> {
  const out: Partial<Record<ReasonCode, number>> = {};
  for (const { labels, value } of (await counter.get()).values) {
    if (value > 0 && isReasonCode(labels.kind)) out[labels.kind] = (out[labels.kind] ?? 0) + value;
  }
  return out;
}

export function createEventCounters(metrics: CollectorMetrics): EventCounters {
  return {
    incidentOpened: (incident) => metrics.incidents.inc({ kind: incident.kind, fatal: String(incident.fatal) }),
    rejected: (reason) => {
      metrics.rejected.inc({ reason });
      if (reason === 'unknown-source') metrics.unknownSources.inc();
    },
    remediation: {
      podDeleted: () => metrics.podsDeleted.inc(),
      nodeRemediated: (action) => metrics.nodesRemediated.inc({ action }),
      held: (reason) => metrics.held.inc({ reason }),
      proved: (verdict) => metrics.proofVerdicts.inc({ verdict }),
      refuted: () => metrics.refuted.inc({ recorded: 'true' }),
      refutedUnrecorded: () => metrics.refuted.inc({ recorded: 'false' }),
      completed: (phase, latencyMs) => {
        metrics.outcomes.inc({ phase });
        metrics.remediationSeconds.observe({ phase }, latencyMs / 1000);
      },
    },
    rateLimited: (limit) => metrics.rateLimited.inc({ limit }),
    seriesWritten: (kind) => metrics.seriesWrites.inc({ kind }),
    recordDeleted: () => metrics.recordsDeleted.inc(),
    watchRestarted: (informer, reason) => metrics.watchRestarts.inc({ informer, reason }),
    totals: async () => {
      const [unknownSources, incidentsByKind, nodesRemediated, podsDeleted, incidentsHeld] = await Promise.all([
        sum(metrics.unknownSources),
        byKind(metrics.incidents),
        sum(metrics.nodesRemediated),
        sum(metrics.podsDeleted),
        sum(metrics.held),
      ]);
      return { unknownSources, incidentsByKind, nodesRemediated, podsDeleted, incidentsHeld };
    },
  };
}
