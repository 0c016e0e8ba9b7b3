// `lastgasp status`: is this collector healthy and leading, what does it hear, what has it done. Pure.
import type { Listener__Output, Reachability__Output, Status__Output } from '@lastgasp/proto';
import { duration, isoTime, timestampMs } from './relative-time.js';
import { enumName, type RenderContext } from './render-context.js';
import { renderFields } from './table.js';

function counts(map: Record<string, number>): string {
  const entries = Object.entries(map).filter(([, n]) => n > 0);
  return entries.length === 0 ? 'none' : entries.map(([k, n]) => `${k} ${n}`).join(', ');
}

function leadership(s: Status__Output): string {
  if (s.standalone) return 'standalone (no Kubernetes API: never remediates)';
  if (s.leading) return `yes, this replica leads`;
  return s.leaderIdentity === '' ? 'no (leader unknown)' : `no (leader: ${s.leaderIdentity})`;
}

function policy(s: Status__Output): string {
  const p = s.policy;
  if (p === null) return '-';
  const storm = p.storm;
  const limits =
    storm === null
      ? ''
      : `; storm limit ${storm.maxNodesPerWindow} nodes/${storm.windowSeconds}s and ${storm.maxPercentOfReadyNodes}% of ready nodes`;
  const confirm = enumName(p.mode, 'POLICY_MODE_') === 'confirm' ? ` (confirm within ${p.confirmTimeoutSeconds}s)` : '';
  return `${enumName(p.mode, 'POLICY_MODE_')}${confirm}, node action ${enumName(p.nodeAction, 'NODE_ACTION_')}, dry run ${p.dryRun ? 'ON' : 'off'}${limits}`;
}

/** `netconsole [::]:6666 (native receiver, 8 MiB buffer)`; the others as name and address. */
function listener(l: Listener__Output): string {
  const details = [l.receiver === '' ? null : `${l.receiver} receiver`, l.recvBufferBytes > 0 ? `${mebibytes(l.recvBufferBytes)} buffer` : null];
  const shown = details.filter((d) => d !== null);
  return `${l.name} ${l.address}${shown.length === 0 ? '' : ` (${shown.join(', ')})`}`;
}

/**
 * `4 of 5 Ready nodes answer; SILENT 1: worker-3 (cannot be proven dead: open the probe port)`. Null
 * when the probe is off or the collector standalone.
 */
function reachability(r: Reachability__Output | null): string | null {
  if (r === null) return null;
  const parts = [`${r.answering} of ${r.readyNodes} Ready nodes answer the probe`];
  if (r.unchecked > 0) parts.push(`${r.unchecked} not checked yet`);
  if (r.overdue > 0) parts.push(`${r.overdue} overdue`);
  if (r.silent > 0) {
    const more = r.silent > r.silentNodes.length ? ` and ${r.silent - r.silentNodes.length} more` : '';
    parts.push(`SILENT ${r.silent}: ${r.silentNodes.join(', ')}${more} (cannot be proven dead: open their probe port to the collector)`);
  }
  return parts.join('; ');
}

function mebibytes(bytes: number): string {
  const mib = bytes / (1 << 20);
  return mib >= 1 ? `${Number.isInteger(mib) ? mib : mib.toFixed(1)} MiB` : `${Math.round(bytes / 1024)} KiB`;
}

export function renderStatus(s: Status__Output, ctx: RenderContext): string {
  const started = timestampMs(s.startTime);
  const c = s.counters;
  const fields: [string, string][] = [
    ['Collector', `${s.identity} (version ${s.version})`],
    ['Serving', 'yes'],
    ['Up', started === null ? '-' : `${duration(Math.max(ctx.now - started, 0))} (since ${isoTime(started)})`],
    ['Leading', leadership(s)],
    ['Listeners', s.listeners.map(listener).join(', ') || '-'],
    ['Policy', policy(s)],
  ];
  const reach = reachability(s.reachability);
  fields.push(['Probe', reach ?? (s.standalone ? '-' : 'off (a panic line alone acts)')]);
  if (c !== null) {
    const malformed = Object.values(c.malformedByReason).reduce((a, b) => a + b, 0);
    fields.push(
      ['Datagrams', `${c.datagrams} (${c.bytes} bytes), malformed ${malformed}, unknown sources ${c.unknownSources}`],
      ['Hosts', `${c.hostsTracked} tracked`],
      ['Incidents', `${counts(c.incidentsByKind)}; held for an operator ${c.incidentsHeld}`],
      ['Remediated', `${c.nodesRemediated} nodes, ${c.podsDeleted} pods deleted`],
    );
    if (ctx.wide) fields.push(['Malformed', counts(c.malformedByReason)]);
  }
  if (ctx.wide && s.policy !== null) {
    fields.push(
      ['Excluded', s.policy.excludeNodeSelector || '-'],
      ['Annotations', s.policy.annotationPrefix],
      ['Confirm', `timeout ${s.policy.confirmTimeoutSeconds}s, lease stale after ${s.policy.confirmLeaseStaleSeconds}s`],
    );
  }
  return renderFields(fields);
}
