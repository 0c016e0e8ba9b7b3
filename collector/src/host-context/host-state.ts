// What host context keeps about one sending host (its record stream is reassemble/host-stream.ts).
// Bounded: a ring of recent records, the one incident currently capturing trailing lines, and small
// fixed-size bookkeeping.
import { textBytes } from '../heap-size.js';
import type { Incident, IncidentCause, PanicLineState } from '../types.js';
import { createContextRing, type ContextEntry, type ContextRing } from './context-ring.js';

export interface OpenIncident {
  incident: Incident;
  /** Context before the key record, the key record and the trailing ones, in order. */
  entries: ContextEntry[];
  bytes: number;
  keyOrder: number;
  /** Whether the key rule may be reported as a later panic's cause. */
  causeCapable: boolean;
  /** Records captured after the key record. */
  trailing: number;
}

export interface HostState {
  address: string;
  ring: ContextRing;
  open: OpenIncident | null;
  /** A fatal incident was opened in this boot: no other may open until a reset or re-arm time. */
  fatalAt: number | null;
  /** Identities of fatal key records already reported (guards against late duplicates). */
  fatalKeys: string[];
  /** The most recent cause-capable non-fatal incident of this boot. */
  lastCause: { cause: IncidentCause; order: number } | null;
  kernelRelease: string | null;
  /** ms of the last record (the time passed with it). */
  lastRecordAt: number | null;
  records: number;
  lastCanaryAt: number | null;
  lastCanaryNode: string | null;
  /** `panic-line=` of the last canary (nbcon netconsole + kernel.panic≠0 → suppressed). */
  lastCanaryPanicLine: PanicLineState | null;
  incidents: number;
}

/**
 * Fixed bytes per host beyond its ring, open incident and stream (HostStream.bytes): the stream and
 * state objects, the table's entry and key. Measured with Node 20: ~800 for a host with one record.
 */
export const HOST_OVERHEAD_BYTES = 1024;

export function createHostState(address: string): HostState {
  return {
    address,
    ring: createContextRing(),
    open: null,
    fatalAt: null,
    fatalKeys: [],
    lastCause: null,
    kernelRelease: null,
    lastRecordAt: null,
    records: 0,
    lastCanaryAt: null,
    lastCanaryNode: null,
    lastCanaryPanicLine: null,
    incidents: 0,
  };
}

/**
 * Bytes held for the host's context (its stream's unfinished line is counted apart). Strings kept
 * beside the ring are counted too: the last cause's summary may outlive the ring entry it came from.
 */
export function hostBytes(host: HostState): number {
  let bytes = HOST_OVERHEAD_BYTES + host.ring.bytes + (host.open?.bytes ?? 0);
  if (host.lastCause !== null) bytes += textBytes(host.lastCause.cause.summary);
  if (host.kernelRelease !== null) bytes += textBytes(host.kernelRelease);
  if (host.lastCanaryNode !== null) bytes += textBytes(host.lastCanaryNode);
  for (const key of host.fatalKeys) bytes += textBytes(key);
  return bytes;
}
