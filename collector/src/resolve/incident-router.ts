// Between classification and remediation: ties each incident to a Node (or rejects it), feeds the
// history, and hands resolved incidents on. Fatal incidents go on at `opened` (remediation must start
// within milliseconds), their trailing lines at `closed`; non-fatal incidents go on at `closed`, whole.
import type { Logger } from 'pino';
import { incidentBytes } from '../heap-size.js';
import type { IncidentEvent } from '../types.js';
import { requestFromIncident, type RemediationRequest } from '../record/incident-record.js';
import type { NodeResolver, RejectReason } from './resolve-node.js';
import type { TokenBuckets } from '../token-buckets.js';

export interface IncidentRouterOptions {
  /** Null in standalone mode: incidents are only recorded. */
  resolver: NodeResolver | null;
  now: () => number;
  logger: Logger;
  /**
   * `quiet`: a non-fatal incident over its sender's rate limit (`sourceLimit`): counted, not logged and
   * not kept in the history, so one noisy sender cannot push everyone else's incidents out; it is still
   * submitted (its Event series counts it).
   */
  onRecorded: (event: IncidentEvent, node: string | null, rejected: boolean, quiet: boolean) => void;
  /** Per-sender token buckets for non-fatal incidents; null: no limit. Fatal incidents are never limited. */
  sourceLimit?: TokenBuckets | null;
  onRejected: (reason: RejectReason) => void;
  submit: (req: RemediationRequest) => void;
  updateContext: (req: RemediationRequest) => void;
  /**
   * The Node cache resolution reads. Until its first list has completed every source would look
   * unknown, so events wait (in order, at most MAX_WAITING and MAX_WAITING_BYTES) and go on once it
   * is synced.
   */
  nodes?: { isSynced(): boolean; synced: Promise<void> };
}

/** Bound on incidents remembered between `opened` and `closed`. */
const MAX_OPEN = 10_000;
/** Events held while the Node cache syncs; beyond this the oldest are resolved against what it has. */
const MAX_WAITING = 10_000;
/** Bytes those events may hold (each carries its incident's kernel lines); beyond, the same. */
export const MAX_WAITING_BYTES = 32 * 1024 * 1024;

export function createIncidentRouter(opts: IncidentRouterOptions): (event: IncidentEvent) => void {
  const nodes = new Map<string, string | null>();
  // Non-fatal incidents over their sender's limit, by id, from `opened` to `closed` (bounded like `nodes`).
  const quiet = new Set<string>();
  const limit = opts.sourceLimit ?? null;

  const isQuiet = (event: IncidentEvent): boolean => {
    const { incident } = event;
    if (incident.fatal || limit === null) return false;
    if (event.type === 'opened' && !limit.take(incident.source, opts.now())) {
      quiet.add(incident.id);
      if (quiet.size > MAX_OPEN) {
        const oldest = quiet.values().next();
        if (oldest.done !== true) quiet.delete(oldest.value);
      }
    }
    const q = quiet.has(incident.id);
    if (event.type === 'closed') quiet.delete(incident.id);
    return q;
  };

  const resolve = (event: IncidentEvent): string | null => {
    const { incident } = event;
    const known = nodes.get(incident.id);
    if (known !== undefined) return known;
    if (opts.resolver === null) return null;
    const r = opts.resolver.resolve(incident.source, incident.userdata, opts.now());
    let node: string | null = null;
    if (r.ok) node = r.node;
    else {
      opts.onRejected(r.reason);
      if (r.shouldLog) {
        opts.logger.warn({ incident: incident.id, source: incident.source, kind: incident.kind, reason: r.reason, detail: r.detail }, 'incident not acted on');
      }
    }
    nodes.set(incident.id, node);
    if (nodes.size > MAX_OPEN) {
      const oldest = nodes.keys().next();
      if (oldest.done !== true) nodes.delete(oldest.value);
    }
    return node;
  };

  const route = (event: IncidentEvent): void => {
    const { incident } = event;
    const node = resolve(event);
    const q = isQuiet(event);
    opts.onRecorded(event, node, opts.resolver !== null && node === null, q);
    if (event.type === 'opened' && !q) {
      opts.logger.info(
        { incident: incident.id, node, source: incident.source, kind: incident.kind, fatal: incident.fatal, summary: incident.summary },
        'incident opened',
      );
    }
    if (event.type === 'closed') nodes.delete(incident.id);
    if (node === null) return;
    const req = requestFromIncident(incident, node);
    if (incident.fatal) {
      if (event.type === 'opened') opts.submit(req);
      else if (event.type === 'closed') opts.updateContext(req);
    } else if (event.type === 'closed') {
      opts.submit(req);
    }
  };

  const gate = opts.nodes;
  if (gate === undefined || opts.resolver === null) return route;
  let waiting: { event: IncidentEvent; bytes: number }[] | null = gate.isSynced() ? null : [];
  let waitingBytes = 0;
  if (waiting !== null) {
    void gate.synced.then(() => {
      const held = (waiting ?? []).map((w) => w.event);
      waiting = null;
      waitingBytes = 0;
      if (held.length > 0) opts.logger.info({ events: held.length }, 'Node cache synced; resolving the incidents that waited for it');
      for (const event of held) route(event);
    });
  }
  return (event) => {
    if (waiting === null) {
      route(event);
      return;
    }
    const bytes = incidentBytes(event.incident);
    waiting.push({ event, bytes });
    waitingBytes += bytes;
    while (waiting.length > 1 && (waiting.length > MAX_WAITING || waitingBytes > MAX_WAITING_BYTES)) {
      const oldest = waiting.shift();
      if (oldest === undefined) break;
      waitingBytes -= oldest.bytes;
      route(oldest.event);
    }
  };
}
