// The receive pipeline's memory bounds, per stage and overall, with their defaults in one place.
// Every limit is a bound on what one host, or all hosts together, can make the collector hold.
import { DEFAULT_HOST_CONTEXT_LIMITS, type HostContextLimits } from './host-context/host-context.js';
import type { HostTier, HostTierLimits } from './host-context/host-table.js';
import { DEFAULT_MAX_DATAGRAM_BYTES } from './parse/parse-datagram.js';
import { DEFAULT_FRAGMENT_LIMITS, type FragmentLimits } from './reassemble/fragment-assembler.js';
import { DEFAULT_SEQUENCE_LIMITS, type SequenceLimits } from './reassemble/sequence-order.js';

export interface PipelineLimits {
  fragments: FragmentLimits;
  sequence: SequenceLimits;
  host: HostContextLimits;
  /**
   * Hosts tracked at once and the bytes they hold, per tier (host-table.ts): Node addresses, other
   * sources with an open incident, and unknown sources. Each tier evicts only its own least recently
   * heard-from hosts, so unknown (possibly spoofed) sources never push out a Node's context.
   */
  hosts: Record<HostTier, HostTierLimits>;
  maxDatagramBytes: number;
}

export interface PipelineLimitOptions {
  fragments?: Partial<FragmentLimits>;
  sequence?: Partial<SequenceLimits>;
  host?: Partial<HostContextLimits>;
  hosts?: Partial<Record<HostTier, Partial<HostTierLimits>>>;
  maxDatagramBytes?: number;
}

const MiB = 1024 * 1024;

export const DEFAULT_PIPELINE_LIMITS: PipelineLimits = {
  fragments: DEFAULT_FRAGMENT_LIMITS,
  sequence: DEFAULT_SEQUENCE_LIMITS,
  host: DEFAULT_HOST_CONTEXT_LIMITS,
  hosts: {
    // A few thousand Nodes, each up to two addresses, at a few KiB each (a full ring is ~18 KiB).
    node: { maxHosts: 10_000, maxBytes: 48 * MiB },
    // An open incident holds up to host.incidentBytes (256 KiB) beside its ring.
    incident: { maxHosts: 512, maxBytes: 16 * MiB },
    unknown: { maxHosts: 20_000, maxBytes: 16 * MiB },
  },
  maxDatagramBytes: DEFAULT_MAX_DATAGRAM_BYTES,
};

export function resolveLimits(options: PipelineLimitOptions = {}): PipelineLimits {
  const base = DEFAULT_PIPELINE_LIMITS;
  const hosts = options.hosts ?? {};
  return {
    fragments: { ...base.fragments, ...options.fragments },
    sequence: { ...base.sequence, ...options.sequence },
    host: { ...base.host, ...options.host },
    hosts: {
      node: { ...base.hosts.node, ...hosts.node },
      incident: { ...base.hosts.incident, ...hosts.incident },
      unknown: { ...base.hosts.unknown, ...hosts.unknown },
    },
    maxDatagramBytes: options.maxDatagramBytes ?? base.maxDatagramBytes,
  };
}
