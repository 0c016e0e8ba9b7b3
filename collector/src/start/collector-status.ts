// The StatusSource the gRPC API serves: the incident history joined with what this replica is (version,
// identity, leadership, listeners, policy), its counters — the receive path's and the event counters',
// the very ones /metrics reads — and the tracked hosts, each with the Node that owns its address.
import { VERSION } from '@lastgasp/proto/version';
import {
  composeStatusSource,
  type CollectorStatus,
  type IncidentHistory,
  type Listener,
  type StatusSource,
} from '../api/index.js';
import type { CollectorConfig } from '../config/config.js';
import type { ReceiveCounters } from '../http/metrics.js';
import type { UdpListener } from '../ingest/udp-listener.js';
import type { LeaderElector } from '../leader/lease-elector.js';
import type { Pipeline } from '../pipeline.js';
import type { ReachabilityCheck } from '../prove/reachability-check.js';
import type { NodeIndex } from '../resolve/node-index.js';
import type { EventCounters } from './event-counters.js';

/** The project's version (root package.json), as GetStatus and the start-up line report it. */
export const COLLECTOR_VERSION = VERSION;

/** The netconsole listeners as bound (port 0 → the real port), for the status's listener list. */
export function netconsoleListeners(listener: UdpListener): Listener[] {
  return listener.addresses.map((address) => ({
    name: 'netconsole',
    address,
    receiver: listener.receiver,
    recvBufferBytes: listener.grantedRecvBufferBytes,
  }));
}

export function collectorStatus(parts: {
  config: CollectorConfig;
  /** ms since the epoch. */
  startedAt: number;
  history: IncidentHistory;
  /** Read per request: the app adds the gRPC and HTTP listeners once they are bound. */
  listeners: readonly Listener[];
  receive: () => ReceiveCounters;
  events: EventCounters;
  pipeline: Pipeline;
  index: NodeIndex;
  /** Null in standalone mode. */
  elector: LeaderElector | null;
  /** The proof-of-death self-check; null when the probe is off or in standalone mode. */
  reachability: ReachabilityCheck | null;
  now: () => number;
}): StatusSource {
  const { config, receive, elector, index } = parts;
  const getStatus = async (): Promise<CollectorStatus> => {
    const r = receive();
    return {
      version: COLLECTOR_VERSION,
      startedAt: parts.startedAt,
      identity: config.identity,
      leading: elector?.isLeader() ?? false,
      leaderIdentity: elector?.leaderIdentity() ?? null,
      standalone: elector === null,
      listeners: [...parts.listeners],
      counters: {
        datagrams: r.datagrams,
        bytes: r.bytes,
        malformedByReason: r.malformedByReason,
        hostsTracked: r.hosts,
        ...(await parts.events.totals()),
      },
      policy: { ...config.policy, storm: { ...config.policy.storm } },
      reachability: parts.reachability?.summary(parts.now()) ?? null,
    };
  };
  return composeStatusSource(parts.history, {
    getStatus,
    listHosts: () => parts.pipeline.hosts().map((h) => ({ ...h, node: index.byAddress(h.address)[0] ?? null })),
  });
}
