// The receive path's counters as /metrics and GetStatus both read them: the UDP listener's and the
// pipeline's own counts, renamed into one flat view at read time (nothing is copied into a second tally).
// Before the receive path has started it reads as zeros.
import type { ReceiveCounters } from '../http/metrics.js';
import type { UdpListener } from '../ingest/udp-listener.js';
import type { PipelineStats } from '../pipeline.js';
import type { ReceivePath } from './start-receive.js';

type ListenerCounts = ReturnType<UdpListener['counters']>;
type PipelineCounts = Omit<ReceiveCounters, keyof ListenerCounts>;

const NO_LISTENER: ListenerCounts = { datagrams: 0, bytes: 0, queueDropped: 0, handlerErrors: 0, queuedBytes: 0 };
const NO_PIPELINE: PipelineCounts = {
  parsed: 0,
  malformedByReason: {},
  records: 0,
  duplicates: 0,
  reordered: 0,
  sequenceResets: 0,
  messagesLost: 0,
  recordsWithoutNode: 0,
  fragmentDrops: {},
  untrustedIncidentLike: 0,
  hosts: 0,
  hostsEvicted: 0,
};

/** The pipeline's statistics under the names the counters use (its `datagrams` are the ones parsed). */
function pipelineCounts(s: PipelineStats): PipelineCounts {
  const { datagrams: parsed, parseErrors: malformedByReason, records, duplicates, reordered, sequenceResets, fragmentDrops } = s;
  const { untrustedIncidentLike, hosts, hostsEvicted, messagesLost, recordsWithoutNode } = s;
  return {
    parsed,
    malformedByReason,
    records,
    duplicates,
    reordered,
    sequenceResets,
    messagesLost,
    recordsWithoutNode,
    fragmentDrops,
    untrustedIncidentLike,
    hosts,
    hostsEvicted,
  };
}

export function receiveCounters(path: ReceivePath | null): ReceiveCounters {
  if (path === null) return { ...NO_LISTENER, ...NO_PIPELINE };
  return { ...path.listener.counters(), ...pipelineCounts(path.pipeline.stats()) };
}
