// Output of `lastgasp-collector replay`: one JSON object per incident per line, or a readable report.
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
    openedAt: new Date(incident.openedAt).toISOString(),
    closedAt: incident.closedAt === null ? null : new Date(incident.closedAt).toISOString(),
  };
}

export function formatIncidentText(incident: Incident): string {
  const out = [
    `${incident.kind}${incident.fatal ? ' (fatal)' : ''} from ${incident.source} at ${new Date(incident.openedAt).toISOString()}`,
    `  summary: ${incident.summary}`,
    `  cause:   ${incident.cause === null ? '-' : `${incident.cause.kind}: ${incident.cause.summary}`}`,
    `  kernel:  ${incident.kernelRelease ?? 'unknown'}`,
    `  id:      ${incident.id}`,
  ];
  const userdata = Object.entries(incident.userdata);
  if (userdata.length > 0) out.push(`  userdata: ${userdata.map(([k, v]) => `${k}=${v}`).join(' ')}`);
  out.push(`  lines (${incident.lines.length}):`);
  for (const line of incident.lines) out.push(`    ${line}`);
  return `${out.join('\n')}\n`;
}
