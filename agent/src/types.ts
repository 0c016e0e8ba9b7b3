// The agent's shared vocabulary. Stages meet only through these types:
// discover endpoints → resolve next hops → read configfs → plan targets → apply → verify → report.

/** One collector address netconsole sends to. `address` is canonical (IPv6 compressed, lower case). */
export interface CollectorEndpoint {
  address: string;
  port: number;
}

/** How to reach one collector at layer 2, as netconsole needs it (it bypasses routing and ARP). */
export interface NextHop {
  /** Egress device name (netconsole `dev_name`). */
  device: string;
  /** Source address on that device (netconsole `local_ip`). */
  localIp: string;
  /** The gateway when the route has one, else the collector itself. */
  nextHopIp: string;
  /** MAC of `nextHopIp` (netconsole `remote_mac`), lower case, colon separated. */
  mac: string;
  via: 'direct' | 'gateway' | 'local';
}

/** Why no next hop could be found for an address; `missing` names what was absent. */
export interface NextHopError {
  address: string;
  missing: 'route' | 'device' | 'local address' | 'neighbor';
  detail: string;
}

export type NextHopResult = { ok: true; hop: NextHop } | { ok: false; error: NextHopError };

/** What this kernel's netconsole offers, detected from a target directory's listing. */
export interface KernelFeatures {
  /** Every attribute file and directory name seen in a fresh target. */
  attributes: string[];
  extended: boolean;
  release: boolean;
  userdata: boolean;
}

/** The complete desired configuration of one netconsole target. */
export interface TargetSpec {
  endpoint: CollectorEndpoint;
  devName: string;
  localIp: string;
  remoteMac: string;
  extended: boolean;
  release: boolean;
  /** Written as userdata `node=<value>` when the kernel has userdata (6.9+), else null. */
  userdataNode: string | null;
}

/** One of our targets as read back from configfs; attribute values are trimmed strings. */
export interface ObservedTarget {
  name: string;
  attributes: Record<string, string>;
  /** userdata key → value, empty when the kernel has no userdata or none is set. */
  userdata: Record<string, string>;
}

/** The stable reasons of the Node condition `LastGaspReady`. */
export const READY_REASONS = [
  'TargetsConfigured',
  'ConfigfsUnavailable',
  'EndpointsUnknown',
  'NoCollectorEndpoints',
  'NeighborUnresolved',
  'TargetsNotEnabled',
] as const;
export type ReadyReason = (typeof READY_REASONS)[number];

/** The outcome of one reconcile pass, the input of every report (condition, metrics, /readyz). */
export interface AgentStatus {
  ready: boolean;
  reason: ReadyReason;
  message: string;
  /** Endpoints with an enabled target whose read-back matches the desired spec. */
  verified: CollectorEndpoint[];
  features: KernelFeatures | null;
}

export function endpointKey(endpoint: CollectorEndpoint): string {
  return endpoint.address.includes(':')
    ? `[${endpoint.address}]:${endpoint.port}`
    : `${endpoint.address}:${endpoint.port}`;
}
