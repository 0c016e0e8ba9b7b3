// The incidents a replica remembers for a takeover: every replica keeps the fatal incidents it saw for
// `keepMs`, so a new leader can finish those nobody recorded. Bounded in count, in bytes (their kernel
// lines) and per Node: a follower never finishes anything, and a flood of forged panics from one node's
// address (each refuted, so the host re-arms and opens the next) would otherwise pile up for the whole
// window. The oldest go first; the newest of each Node are kept. Pure: time is passed in.
import { lineBytes, INCIDENT_OVERHEAD_BYTES, textBytes } from '../heap-size.js';
import type { RemediationRequest } from '../record/incident-record.js';

export interface PendingLimits {
  keepMs: number;
  maxIncidents: number;
  maxBytes: number;
  maxPerNode: number;
}

export const DEFAULT_PENDING_LIMITS: Omit<PendingLimits, 'keepMs'> = { maxIncidents: 2000, maxBytes: 32 * 1024 * 1024, maxPerNode: 8 };

interface Entry {
  req: RemediationRequest;
  seenAt: number;
  bytes: number;
}

export interface PendingIncidents {
  /** Remembers (or replaces, keeping its place) the incident `name`. */
  set(name: string, req: RemediationRequest, now: number): void;
  get(name: string): RemediationRequest | undefined;
  delete(name: string): void;
  /** Forgets those seen more than keepMs ago. */
  prune(now: number): void;
  entries(): IterableIterator<[string, RemediationRequest]>;
  size(): number;
  bytes(): number;
  /** Forgotten by the bounds before their window ended. */
  evicted(): number;
}

function requestBytes(req: RemediationRequest): number {
  let bytes = INCIDENT_OVERHEAD_BYTES + textBytes(req.node) + textBytes(req.summary) + textBytes(req.source) + textBytes(req.incidentId);
  for (const line of req.lines) bytes += lineBytes(line);
  return bytes;
}

export function createPendingIncidents(limits: PendingLimits): PendingIncidents {
  const entries = new Map<string, Entry>();
  const perNode = new Map<string, number>();
  let bytes = 0;
  let evicted = 0;

  const remove = (name: string, e: Entry): void => {
    entries.delete(name);
    bytes -= e.bytes;
    const n = (perNode.get(e.req.node) ?? 1) - 1;
    if (n === 0) perNode.delete(e.req.node);
    else perNode.set(e.req.node, n);
  };

  const oldestOf = (node: string): string | null => {
    for (const [name, e] of entries) if (e.req.node === node) return name;
    return null;
  };

  return {
    set(name, req, now) {
      const found = entries.get(name);
      const entry: Entry = { req, seenAt: found?.seenAt ?? now, bytes: requestBytes(req) };
      if (found !== undefined) {
        bytes += entry.bytes - found.bytes;
        entries.set(name, entry);
        return;
      }
      entries.set(name, entry);
      bytes += entry.bytes;
      perNode.set(req.node, (perNode.get(req.node) ?? 0) + 1);
      if ((perNode.get(req.node) ?? 0) > limits.maxPerNode) {
        const victim = oldestOf(req.node);
        const e = victim === null ? undefined : entries.get(victim);
        if (victim !== null && e !== undefined) {
          remove(victim, e);
          evicted += 1;
        }
      }
      while (entries.size > 1 && (entries.size > limits.maxIncidents || bytes > limits.maxBytes)) {
        const oldest = entries.entries().next();
        if (oldest.done === true) break;
        remove(oldest.value[0], oldest.value[1]);
        evicted += 1;
      }
    },
    get: (name) => entries.get(name)?.req,
    delete(name) {
      const e = entries.get(name);
      if (e !== undefined) remove(name, e);
    },
    prune(now) {
      for (const [name, e] of entries) if (now - e.seenAt > limits.keepMs) remove(name, e);
    },
    *entries() {
      for (const [name, e] of entries) yield [name, e.req];
    },
    size: () => entries.size,
    bytes: () => bytes,
    evicted: () => evicted,
  };
}
