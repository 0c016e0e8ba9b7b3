// Output of `lastgasp-collector replay`: one JSON object per incident per line, or a readable report.
// The report shows kernel text sanitised (@lastgasp/proto/terminal-text); the JSON keeps it exact.
import { sanitise, terminalJson } from '@lastgasp/proto/terminal-text';
import type { Incident } from '../types.js';

export interface ReplayIncidentJson {
  id: string;
  source: string;
  kind: string;
  fatal: boolean;
  summary: string;
  cause: { kind: string; summary: string } | null;
  kernelRelease: string | null;
  lines: string[];
  userdata: Record<string, string>;
  format: string;
  firstSeq: number | null;
  lastSeq: number | null;
  openedAt: string;
  closedAt: string | null;
}

export function incidentJson(incident: Incident): ReplayIncidentJson {
  return {
    id: incident.id,
    source: incident.source,
    kind: incident.kind,
    fatal: incident.fatal,
    summary: incident.summary,
    cause: incident.cause,
    kernelRelease: incident.kernelRelease,
    lines: incident.lines,
    userdata: incident.userdata,
    format: incident.format,
    firstSeq: incident.firstSeq,
    lastSeq: incident.lastSeq,
    openedAt: isoTime(incident.openedAt),
    closedAt: incident.closedAt === null ? null : isoTime(incident.closedAt),
  };
}

/** RFC 3339 time; a time a Date cannot hold (a capture's far-off clock) as its number of ms, never a throw. */
function isoTime(ms: number): string {
  const date = new Date(ms);
  return Number.isNaN(date.getTime()) ? `${ms} ms since the epoch` : date.toISOString();
}

/** One incident as one line of JSON (--json). */
export function incidentJsonLine(incident: Incident): string {
  return terminalJson(incidentJson(incident));
}

export function formatIncidentText(incident: Incident): string {
  const out = [
    `${incident.kind}${incident.fatal ? ' (fatal)' : ''} from ${incident.source} at ${isoTime(incident.openedAt)}`,
    `  summary: ${incident.summary}`,
    `  cause:   ${incident.cause === null ? '-' : `${incident.cause.kind}: ${incident.cause.summary}`}`,
    `  kernel:  ${incident.kernelRelease ?? 'unknown'}`,
    `  id:      ${incident.id}`,
  ];
  const userdata = Object.entries(incident.userdata);
  if (userdata.length > 0) out.push(`  userdata: ${userdata.map(([k, v]) => `${k}=${v}`).join(' ')}`);
  out.push(`  lines (${incident.lines.length}):`);
  for (const line of incident.lines) out.push(`    ${line}`);
  // Each line sanitised on its own: the line breaks between them are the report's.
  return `${out.map(sanitise).join('\n')}\n`;
}
