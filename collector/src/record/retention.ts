// Which NodeIncidents the leader deletes: every record is evidence, so only finished ones (a final
// phase), never one that is Held or still open, and never one younger than `minAgeMs` (the longer of the
// storm window and the takeover window: a new leader rebuilds its storm budget and its list of recorded
// incidents from these records). Of the rest, those older than `maxAgeMs` go, and the oldest go while
// more than `maxRecords` records exist. Pure: the records and the time are passed in.
import { FINAL_PHASES, phaseOf } from './incident-record.js';

export interface RetentionSettings {
  /** Finished records older than this are deleted, ms. */
  maxAgeMs: number;
  /** The oldest finished records are deleted while more than this many exist. */
  maxRecords: number;
  /** No record younger than this is deleted, whatever the two bounds above say, ms. */
  minAgeMs: number;
}

/** The one call retention makes. */
export interface RetentionApi {
  deleteIncident(name: string): Promise<'done' | 'gone'>;
}

interface Candidate {
  name: string;
  detectedAt: number;
}

function candidateOf(obj: unknown, now: number, minAgeMs: number): Candidate | null {
  const o = obj as { metadata?: { name?: unknown }; spec?: { detectedAt?: unknown } } | null;
  const name = o?.metadata?.name;
  const detectedAt = typeof o?.spec?.detectedAt === 'string' ? Date.parse(o.spec.detectedAt) : NaN;
  const phase = phaseOf(obj);
  // A record whose age cannot be read is kept: deleting evidence needs a reason.
  if (typeof name !== 'string' || !Number.isFinite(detectedAt) || phase === null || !FINAL_PHASES.includes(phase)) return null;
  return now - detectedAt >= minAgeMs ? { name, detectedAt } : null;
}

/** Names of the records to delete, oldest first, at most `limit` of them. */
export function expiredRecords(records: readonly unknown[], now: number, settings: RetentionSettings, limit: number): string[] {
  const candidates: Candidate[] = [];
  for (const obj of records) {
    const c = candidateOf(obj, now, settings.minAgeMs);
    if (c !== null) candidates.push(c);
  }
  candidates.sort((a, b) => a.detectedAt - b.detectedAt || (a.name < b.name ? -1 : 1));
  let excess = records.length - settings.maxRecords;
  const out: string[] = [];
  for (const c of candidates) {
    if (out.length >= limit) break;
    if (excess > 0 || now - c.detectedAt > settings.maxAgeMs) {
      out.push(c.name);
      excess -= 1;
    }
  }
  return out;
}
