// Everything the collector keeps about one sending host. Bounded: a ring of recent records, the one
// incident currently capturing trailing lines, and small fixed-size bookkeeping.
import { createLegacyLineState, type LegacyLineState } from '../reassemble/legacy-lines.js';
import { createSequenceState, type SequenceState } from '../reassemble/sequence-order.js';
import type { HostSnapshot, Incident, IncidentCause } from '../types.js';
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
  sequence: SequenceState;
  legacy: LegacyLineState;
  /** Arrival counter giving legacy records their order. */
  legacyCounter: number;
  /** Last legacy printk timestamp seen (µs), to notice a reboot when it goes back. */
  lastLegacyTimestampUs: number | null;
  ring: ContextRing;
  open: OpenIncident | null;
  /** A fatal incident was opened in this boot: no other may open until a reset or re-arm time. */
  fatalAt: number | null;
  /** Identities of fatal key records already reported (guards against late duplicates). */
  fatalKeys: string[];
  /** The most recent cause-capable non-fatal incident of this boot. */
  lastCause: { cause: IncidentCause; order: number } | null;
  kernelRelease: string | null;
  lastRecordAt: number | null;
  /** Time of the last datagram of any kind (records may still be incomplete). */
  lastHeardAt: number | null;
  records: number;
  lastCanaryAt: number | null;
  lastCanaryNode: string | null;
  incidents: number;
}

/** Fixed bytes per host beyond its ring and open incident (maps, counters, the sequence window). */
export const HOST_OVERHEAD_BYTES = 2048;

export function createHostState(address: string): HostState {
  return {
    address,
    sequence: createSequenceState(),
    legacy: createLegacyLineState(),
    legacyCounter: 0,
    lastLegacyTimestampUs: null,
    ring: createContextRing(),
    open: null,
    fatalAt: null,
    fatalKeys: [],
    lastCause: null,
    kernelRelease: null,
    lastRecordAt: null,
    lastHeardAt: null,
    records: 0,
    lastCanaryAt: null,
    lastCanaryNode: null,
    incidents: 0,
  };
}

export function hostBytes(host: HostState): number {
  return HOST_OVERHEAD_BYTES + host.ring.bytes + host.legacy.carry.length + (host.open?.bytes ?? 0);
}

export function hostSnapshot(host: HostState): HostSnapshot {
  return {
    address: host.address,
    kernelRelease: host.kernelRelease,
    lastRecordAt: host.lastRecordAt,
    lastSeq: host.sequence.maxSeq,
    records: host.records,
    sequenceGaps: host.sequence.gaps,
    lastCanaryAt: host.lastCanaryAt,
    lastCanaryNode: host.lastCanaryNode,
    incidents: host.incidents,
  };
}
