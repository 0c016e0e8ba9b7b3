// `lastgasp incidents`, `lastgasp incident <id>` and `lastgasp watch`: which nodes died, why, and what
// was done about each. Pure. Text from the kernel or the API is sanitised (@lastgasp/proto/terminal-text): in
// tables and fields by table.ts, here for the kernel log and watch lines.
import type { Incident__Output, IncidentEvent__Output, RemediationStep__Output } from '@lastgasp/proto';
import { enumName, type RenderContext } from './render-context.js';
import { isoTime, relativeTime, span, timestampMs } from './relative-time.js';
import { sanitise } from '@lastgasp/proto/terminal-text';
import { renderFields, renderTable, truncate } from './table.js';

const phase = (i: Incident__Output): string => enumName(i.phase, 'INCIDENT_PHASE_');
const node = (i: Incident__Output): string => i.nodeName || `(${i.source}, no node)`;

function stepsDone(i: Incident__Output): string {
  if (i.steps.length === 0) return '-';
  const ok = i.steps.filter((s) => s.outcome === 'STEP_OUTCOME_OK').length;
  return `${ok}/${i.steps.length}`;
}

export function renderIncidents(incidents: readonly Incident__Output[], ctx: RenderContext): string {
  if (incidents.length === 0) return 'No incidents.';
  if (!ctx.wide) {
    const rows = incidents.map((i) => [i.id, relativeTime(timestampMs(i.openTime), ctx.now), node(i), i.kind, phase(i), i.summary]);
    return renderTable(['ID', 'AGE', 'NODE', 'KIND', 'PHASE', 'SUMMARY'], rows, { width: ctx.width, cutColumn: 5 });
  }
  const rows = incidents.map((i) => [
    i.id,
    isoTime(timestampMs(i.openTime)),
    i.nodeName || '-',
    i.source,
    i.kind,
    i.fatal ? 'yes' : 'no',
    phase(i),
    stepsDone(i),
    i.cause === null ? '-' : i.cause.kind,
    i.summary,
  ]);
  return renderTable(['ID', 'OPENED', 'NODE', 'SOURCE', 'KIND', 'FATAL', 'PHASE', 'STEPS OK', 'CAUSE', 'SUMMARY'], rows);
}

/** AT: when the step started, after the incident was opened; TOOK: how long it ran (so far). */
function stepRow(s: RemediationStep__Output, opened: number | null, now: number): string[] {
  const started = timestampMs(s.startTime);
  const finished = timestampMs(s.finishTime);
  let took = '-';
  if (started !== null) took = finished !== null ? span(finished - started) : `${span(now - started)} so far`;
  return [
    s.name,
    enumName(s.outcome, 'STEP_OUTCOME_'),
    started === null || opened === null ? '-' : `+${span(Math.max(started - opened, 0))}`,
    took,
    s.message,
  ];
}

/** The phase, with the reason for held and failed (the message of their `phase-…` step). */
function phaseLine(i: Incident__Output): string {
  const p = phase(i);
  if (p !== 'held' && p !== 'failed' && p !== 'refuted') return p;
  const step = i.steps.find((s) => s.name === `phase-${p}`);
  return step === undefined || step.message === '' ? p : `${p}: ${step.message}`;
}

function sequences(i: Incident__Output): string {
  if (i.firstSequence === null) return '';
  const last = i.lastSequence === null ? '' : `–${i.lastSequence.value}`;
  return `, records ${i.firstSequence.value}${last}`;
}

/** CPU and task of the kernel's key line, from 7.x sysdata (` cpu=`, ` taskname=`); null without them. */
export function panickingContext(userdata: Readonly<Record<string, string>>): string | null {
  const cpu = userdata.cpu;
  const task = userdata.taskname;
  if (cpu === undefined && task === undefined) return null;
  const parts = [cpu === undefined ? null : `CPU ${cpu}`, task === undefined ? null : `task ${task}`].filter((p) => p !== null);
  return `${parts.join(', ')} (sysdata of the incident's key line)`;
}

export function renderIncident(i: Incident__Output, ctx: RenderContext): string {
  const opened = timestampMs(i.openTime);
  const closed = timestampMs(i.closeTime);
  const userdata = Object.entries(i.userdata).map(([k, v]) => `${k}=${v}`);
  const fields: [string, string][] = [
    ['ID', i.id],
    ['Node', i.nodeName === '' ? `none: source ${i.source} is no Node` : `${i.nodeName} (source ${i.source})`],
    ['Kind', `${i.kind}${i.fatal ? ' (fatal)' : ''}`],
    ['Summary', i.summary],
    ['Cause', i.cause === null ? '-' : `${i.cause.kind}: ${i.cause.summary}`],
    ['Kernel', `${i.kernelRelease || 'release unknown'}, ${i.format} format${sequences(i)}`],
    ['Opened', `${isoTime(opened)} (${relativeTime(opened, ctx.now)})`],
    ['Closed', closed === null ? 'no, still capturing' : `${isoTime(closed)} (${relativeTime(closed, ctx.now)})`],
    ['Phase', phaseLine(i)],
  ];
  const context = panickingContext(i.userdata);
  if (context !== null) fields.push(['Context', context]);
  if (userdata.length > 0) fields.push(['Userdata', userdata.join(' ')]);
  const parts = [renderFields(fields)];
  parts.push(
    i.steps.length === 0
      ? 'Remediation: no steps taken.'
      : `Remediation:\n${indent(renderTable(['STEP', 'OUTCOME', 'AT', 'TOOK', 'MESSAGE'], i.steps.map((s) => stepRow(s, opened, ctx.now))))}`,
  );
  if (i.lines.length > 0) parts.push(`Kernel log (${i.lines.length} lines):\n${indent(i.lines.map(sanitise).join('\n'))}`);
  return parts.join('\n\n');
}

/** One line per watch event; fixed-width leading columns so consecutive lines align. */
export function renderEvent(e: IncidentEvent__Output, ctx: RenderContext): string {
  const i = e.incident;
  const line = [
    isoTime(timestampMs(e.time)),
    `#${e.sequence}`.padEnd(7),
    enumName(e.type, 'INCIDENT_EVENT_TYPE_').padEnd(10),
    (i?.kind ?? '-').padEnd(12),
    (i === null ? '-' : phase(i)).padEnd(11),
    i === null ? '-' : node(i),
    i?.id ?? '-',
    i?.summary ?? '',
  ].join('  ');
  const safe = sanitise(line).trimEnd();
  return ctx.wide || ctx.width === undefined ? safe : truncate(safe, ctx.width);
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((line) => (line === '' ? line : `  ${line}`))
    .join('\n');
}
