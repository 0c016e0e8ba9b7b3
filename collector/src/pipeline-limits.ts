// The receive pipeline's memory bounds, per stage and overall, with their defaults in one place.
// Every limit is a bound on what one host, or all hosts together, can make the collector hold.
import { DEFAULT_HOST_CONTEXT_LIMITS, type HostContextLimits } from './host-context/host-context.js';
import { DEFAULT_MAX_DATAGRAM_BYTES } from './parse/parse-datagram.js';
import { DEFAULT_FRAGMENT_LIMITS, type FragmentLimits } from './reassemble/fragment-assembler.js';
import { DEFAULT_SEQUENCE_LIMITS, type SequenceLimits } from './reassemble/sequence-order.js';

export interface PipelineLimits {
  fragments: FragmentLimits;
  sequence: SequenceLimits;
  host: HostContextLimits;
  /** Hosts tracked at once; the least recently heard from is evicted beyond. */
  maxHosts: number;
  /** Approximate bytes of host context overall; least recently heard-from hosts are evicted beyond. */
  maxHostBytes: number;
  maxDatagramBytes: number;
}

export interface PipelineLimitOptions {
  fragments?: Partial<FragmentLimits>;
  sequence?: Partial<SequenceLimits>;
  host?: Partial<HostContextLimits>;
  maxHosts?: number;
  maxHostBytes?: number;
  maxDatagramBytes?: number;
}

export const DEFAULT_PIPELINE_LIMITS: PipelineLimits = {
  fragments: DEFAULT_FRAGMENT_LIMITS,
  sequence: DEFAULT_SEQUENCE_LIMITS,
  host: DEFAULT_HOST_CONTEXT_LIMITS,
  maxHosts: 20_000,
  maxHostBytes: 96 * 1024 * 1024,
  maxDatagramBytes: DEFAULT_MAX_DATAGRAM_BYTES,
};

export function resolveLimits(options: PipelineLimitOptions = {}): PipelineLimits {
  const base = DEFAULT_PIPELINE_LIMITS;
  return {
    fragments: { ...base.fragments, ...options.fragments },
    sequence: { ...base.sequence, ...options.sequence },
    host: { ...base.host, ...options.host },
    maxHosts: options.maxHosts ?? base.maxHosts,
    maxHostBytes: options.maxHostBytes ?? base.maxHostBytes,
    maxDatagramBytes: options.maxDatagramBytes ?? base.maxDatagramBytes,
  };
}
