// `lastgasp hosts`: which hosts the collector hears from. Pure.
import type { Host__Output } from '@lastgasp/proto';
import { relativeTime, timestampMs } from './relative-time.js';
import type { RenderContext } from './render-context.js';
import { renderTable } from './table.js';

export function renderHosts(hosts: readonly Host__Output[], ctx: RenderContext): string {
  if (hosts.length === 0) return 'No hosts heard from yet.';
  const headers = ['ADDRESS', 'NODE', 'KERNEL', 'LAST RECORD', 'RECORDS', 'GAPS', 'LOST', 'NO NODE=', 'CANARY', 'PANIC LINE', 'INCIDENTS'];
  if (ctx.wide) headers.push('LAST SEQ', 'CANARY NODE', 'FEATURES');
  const rows = hosts.map((h) => {
    const row = [
      h.address,
      h.nodeName || '-',
      h.kernelRelease || '-',
      relativeTime(timestampMs(h.lastRecordTime), ctx.now),
      String(h.records),
      String(h.sequenceGaps),
      String(h.messagesLost),
      String(h.recordsWithoutNode),
      relativeTime(timestampMs(h.lastCanaryTime), ctx.now),
      h.panicLine === 'suppressed' ? 'NOT SENT' : h.panicLine || '-',
      String(h.incidents),
    ];
    if (ctx.wide) {
      row.push(h.lastSequence === null ? '-' : String(h.lastSequence.value), h.lastCanaryNode || '-', h.wireFeatures.join(',') || '-');
    }
    return row;
  });
  return renderTable(headers, rows);
}
