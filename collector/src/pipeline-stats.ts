// The receive pipeline's counters: each event is counted once, here, and /metrics and the status API
// read the same numbers through `Pipeline.stats()`. Counts since start; bytes are approximate.
import type { HostTier, HostTierStats } from './host-context/host-table.js';
import type { FragmentDropReason } from './reassemble/fragment-assembler.js';
import { PARSE_ERROR_REASONS, REASON_CODES, type ParseErrorReason, type ReasonCode } from './types.js';

export interface PipelineStats {
  datagrams: number;
  /** Datagrams refused by the parser, by reason, and their sum. */
  parseErrors: Record<ParseErrorReason, number>;
  malformed: number;
  records: number;
  duplicates: number;
  reordered: number;
  sequenceResets: number;
  /** Messages lost between nodes and this collector, from sysdata msgid gaps (7.x kernels). */
  messagesLost: number;
  /** Records without userdata node= from hosts that had sent one (possibly forged). */
  recordsWithoutNode: number;
  /** Fragments (or whole fragmented records) dropped, by reason. */
  fragmentDrops: Record<FragmentDropReason, number>;
  fragmentsInFlight: number;
  /** Bytes the fragments in flight hold (copies and bookkeeping). */
  fragmentBytesInFlight: number;
  /** Userspace (facility ≥ 1) or refused-legacy records whose text looked like an incident: ignored. */
  untrustedIncidentLike: number;
  incidentsOpened: Record<ReasonCode, number>;
  hosts: number;
  hostBytes: number;
  hostsEvicted: number;
  /** Hosts and their bytes per tier of the host table. */
  hostTiers: Record<HostTier, HostTierStats>;
}

const FRAGMENT_DROP_REASONS: FragmentDropReason[] = [
  'fragment-too-large',
  'fragment-too-many',
  'fragment-duplicate',
  'fragment-evicted',
  'fragment-expired',
];

/** What the pipeline counts itself; the rest of PipelineStats is read from the fragment pool and host table. */
export type PipelineCounts = ReturnType<typeof createPipelineCounts>;

export function createPipelineCounts() {
  return {
    datagrams: 0,
    records: 0,
    duplicates: 0,
    reordered: 0,
    sequenceResets: 0,
    messagesLost: 0,
    recordsWithoutNode: 0,
    untrustedIncidentLike: 0,
    parseErrors: counters(PARSE_ERROR_REASONS),
    fragmentDrops: counters(FRAGMENT_DROP_REASONS),
    incidentsOpened: counters(REASON_CODES),
  };
}

/** A copy of the counts joined with the fragment pool's and the host table's own numbers. */
export function pipelineStats(
  counts: PipelineCounts,
  fragments: { inFlight: number; bytesInFlight: number; evicted: number },
  hosts: { hosts: number; hostBytes: number; hostsEvicted: number; hostTiers: Record<HostTier, HostTierStats> },
): PipelineStats {
  const malformed = Object.values<number>(counts.parseErrors).reduce((sum, n) => sum + n, 0);
  return {
    ...counts,
    parseErrors: { ...counts.parseErrors },
    fragmentDrops: { ...counts.fragmentDrops, 'fragment-evicted': fragments.evicted },
    incidentsOpened: { ...counts.incidentsOpened },
    malformed,
    fragmentsInFlight: fragments.inFlight,
    fragmentBytesInFlight: fragments.bytesInFlight,
    ...hosts,
  };
}

function counters<K extends string>(keys: readonly K[]): Record<K, number> {
  return Object.fromEntries(keys.map((key) => [key, 0])) as Record<K, number>;
}
