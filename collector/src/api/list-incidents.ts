// ListIncidents: validate the filters, filter, page newest first by ordinal. Pure.
import type { ListIncidentsRequest__Output, ListIncidentsResponse } from '@lastgasp/proto';
import { isReasonCode, REASON_CODES } from '../types.js';
import { invalidArgument } from './errors.js';
import { decodePageToken, encodePageToken, pageSize } from './page-token.js';
import type { IncidentRecord } from './status-source.js';
import { incidentMessage } from './to-proto.js';

interface IncidentFilter {
  node: string;
  kind: string;
  fatal: boolean | null;
  /** ms since the epoch; null: no lower bound. */
  since: number | null;
}

function parseFilter(request: ListIncidentsRequest__Output): IncidentFilter {
  if (request.kind !== '' && !isReasonCode(request.kind)) {
    throw invalidArgument('kind', `unknown reason code "${request.kind}" (one of ${REASON_CODES.join(', ')})`);
  }
  let since: number | null = null;
  if (request.since !== null) {
    const { seconds, nanos } = request.since;
    if (!Number.isFinite(seconds) || nanos < 0 || nanos > 999_999_999) {
      throw invalidArgument('since', 'not a valid timestamp');
    }
    since = seconds * 1000 + nanos / 1e6;
  }
  return { node: request.node, kind: request.kind, fatal: request.fatal?.value ?? null, since };
}

function matches(r: IncidentRecord, f: IncidentFilter): boolean {
  return (
    (f.node === '' || r.node === f.node) &&
    (f.kind === '' || r.incident.kind === f.kind) &&
    (f.fatal === null || r.incident.fatal === f.fatal) &&
    (f.since === null || r.incident.openedAt >= f.since)
  );
}

/** `records` newest first, as IncidentSource.listIncidents returns them. */
export function listIncidents(
  records: readonly IncidentRecord[],
  request: ListIncidentsRequest__Output,
): ListIncidentsResponse {
  const size = pageSize(request.pageSize);
  const filter = parseFilter(request);
  const cursor = decodePageToken(request.pageToken, 'incidents');
  const matching = records.filter((r) => matches(r, filter));
  const rest = cursor === undefined ? matching : matching.filter((r) => r.ordinal < cursor.before);
  const page = rest.slice(0, size);
  const last = page.at(-1);
  return {
    incidents: page.map((r) => incidentMessage(r, false)),
    nextPageToken:
      rest.length > size && last !== undefined ? encodePageToken({ list: 'incidents', before: last.ordinal }) : '',
    totalSize: matching.length,
  };
}
