// EndpointSlices of the collector Service → the set of collector endpoints netconsole should send to.
// Pure: the watch at the edge feeds whatever slices it currently holds.
import type { V1EndpointSlice } from '@kubernetes/client-node';
import type { CollectorEndpoint } from '../types.js';
import { canonicalIp, normaliseEndpoints } from './parse-endpoint.js';

/**
 * Every ready address of every slice, with the port named `portName` (UDP only: netconsole sends
 * UDP). `ready` unset means ready (EndpointConditions contract). FQDN slices are ignored.
 */
export function endpointsFromSlices(slices: readonly V1EndpointSlice[], portName: string): CollectorEndpoint[] {
  const result: CollectorEndpoint[] = [];
  for (const slice of slices) {
    if (slice.addressType !== 'IPv4' && slice.addressType !== 'IPv6') continue;
    const port = (slice.ports ?? []).find((p) => p.name === portName && (p.protocol ?? 'TCP') === 'UDP');
    if (port?.port === undefined) continue;
    // The API omits `endpoints` (null in JSON) when a slice has none: a Service without ready pods.
    for (const endpoint of (slice.endpoints as V1EndpointSlice['endpoints'] | null | undefined) ?? []) {
      if (endpoint.conditions?.ready === false) continue;
      for (const raw of (endpoint.addresses as string[] | null | undefined) ?? []) {
        const address = canonicalIp(raw);
        if (address !== null) result.push({ address, port: port.port });
      }
    }
  }
  return normaliseEndpoints(result);
}
