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

/**
 * The sysdata switches of newer kernels (`userdata/<name>_enabled`): the kernel appends ` cpu=`,
 * ` taskname=`, ` release=` and ` msgid=` lines to every extended message.
 */
export const SYSDATA_SWITCHES = ['cpu_nr', 'taskname', 'release', 'msgid'] as const;
export type SysdataSwitch = (typeof SYSDATA_SWITCHES)[number];

/** What this kernel's netconsole offers, detected from a target directory's listing. */
export interface KernelFeatures {
  /** Every attribute file and directory name seen in a fresh target. */
  attributes: string[];
  extended: boolean;
  release: boolean;
  userdata: boolean;
  /** Sysdata switches the kernel has (listed in a fresh target's userdata/). */
  sysdata: SysdataSwitch[];
  /** Per-target rate limit (`ratelimit_interval_ms`, `ratelimit_burst`); crash output bypasses it. */
  ratelimit: boolean;
}

/** A per-target rate limit as the kernel takes it. */
export interface RateLimit {
  intervalMs: number;
  burst: number;
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
  /** Sysdata switches turned on (only those the kernel has); the others are written off. */
  sysdata: SysdataSwitch[];
  /** Written when set and the kernel has the attributes, else left as the kernel has it. */
  ratelimit: RateLimit | null;
}

/** One of our targets as read back from configfs; attribute values are trimmed strings. */
export interface ObservedTarget {
  name: string;
  attributes: Record<string, string>;
  /** userdata key → value, empty when the kernel has no userdata or none is set. */
  userdata: Record<string, string>;
  /** Sysdata switch → its read-back value (`0`/`1`), for the switches the kernel has. */
  sysdata: Partial<Record<SysdataSwitch, string>>;
}

/** The stable reasons of the Node condition `LastGaspReady`. */
export const READY_REASONS = [
  'TargetsConfigured',
  'ConfigfsUnavailable',
  'EndpointsUnknown',
  'NoCollectorEndpoints',
  'NeighborUnresolved',
  'TargetsNotEnabled',
  /** Targets are armed, but the kernel reboots on panic before its netconsole (nbcon) sends the panic. */
  'PanicRebootSuppressesLastGasp',
] as const;
export type ReadyReason = (typeof READY_REASONS)[number];

/**
 * Whether this node's kernel will actually send its panic: nbcon netconsole writes the panic only in
 * the final flush of panic(), after the reboot branch taken when `kernel.panic` ≠ 0.
 */
export interface PanicRebootCheck {
  /** A netconsole console is registered as an nbcon console (/proc/consoles flag N); null: none seen. */
  nbcon: boolean | null;
  /** `kernel.panic` (seconds before the reboot; 0 = hang); null when unreadable. */
  panicSeconds: number | null;
  /** The panic line will leave the node. */
  sendsPanic: boolean;
  /** What the agent did or refused, and why (set kernel.panic=0 when allowed). */
  remedy: 'off' | 'applied' | 'refused' | 'not-needed';
  detail: string;
}

/** The outcome of one reconcile pass, the input of every report (condition, metrics, /readyz). */
export interface AgentStatus {
  ready: boolean;
  reason: ReadyReason;
  message: string;
  /** Endpoints with an enabled target whose read-back matches the desired spec. */
  verified: CollectorEndpoint[];
  features: KernelFeatures | null;
  /** The panic-reboot check of the last pass with verified targets; null before one. */
  panicReboot?: PanicRebootCheck | null;
}

export function endpointKey(endpoint: CollectorEndpoint): string {
  return endpoint.address.includes(':')
    ? `[${endpoint.address}]:${endpoint.port}`
    : `${endpoint.address}:${endpoint.port}`;
}
