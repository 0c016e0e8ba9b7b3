// Pure reading of `ip -json route get <addr>` and `ip -json neigh show <addr> dev <dev>` output.
// netconsole builds its frames itself, so it needs the egress device, the source address and the MAC of
// the next hop: the gateway's when the route has one, else the collector's own.
import type { NextHop, NextHopError, NextHopResult } from '../types.js';
import { canonicalIp } from '../discover/parse-endpoint.js';

export interface Route {
  device: string;
  localIp: string;
  /** The address whose MAC is needed: the gateway, or the destination when directly connected. */
  nextHopIp: string;
  via: NextHop['via'];
}

/** netconsole's default remote MAC; used for destinations on this host, where no frame leaves. */
export const BROADCAST_MAC = 'ff:ff:ff:ff:ff:ff';

/** Neighbour states whose lladdr can be used (the others mean resolution is pending or failed). */
const USABLE_STATES = new Set(['REACHABLE', 'STALE', 'DELAY', 'PROBE', 'PERMANENT', 'NOARP']);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function firstEntry(stdout: string): Record<string, unknown> | null | 'invalid' {
  let parsed: unknown;
  try {
    parsed = JSON.parse(stdout.trim() === '' ? '[]' : stdout);
  } catch {
    return 'invalid';
  }
  if (!Array.isArray(parsed)) return 'invalid';
  const entry: unknown = parsed[0];
  if (entry === undefined) return null;
  return isRecord(entry) ? entry : 'invalid';
}

function fail(address: string, missing: NextHopError['missing'], detail: string): { ok: false; error: NextHopError } {
  return { ok: false, error: { address, missing, detail } };
}

/** Parses `ip -json route get <address>`; `stderr` explains a failed lookup (e.g. unreachable). */
export function routeFromJson(address: string, stdout: string, stderr = ''): { ok: true; route: Route } | { ok: false; error: NextHopError } {
  const entry = firstEntry(stdout);
  if (entry === 'invalid') return fail(address, 'route', `unreadable "ip route get" output: ${stdout.slice(0, 200)}`);
  if (entry === null) return fail(address, 'route', stderr.trim() === '' ? 'no route' : stderr.trim());
  const type = typeof entry.type === 'string' ? entry.type : 'unicast';
  if (type !== 'unicast' && type !== 'local') return fail(address, 'route', `route type ${type}`);
  const device = typeof entry.dev === 'string' ? entry.dev : '';
  if (device === '') return fail(address, 'device', 'the route names no device');
  const localIp = typeof entry.prefsrc === 'string' ? canonicalIp(entry.prefsrc) : null;
  if (localIp === null) return fail(address, 'local address', `the route via ${device} has no source address`);
  if (type === 'local') return { ok: true, route: { device, localIp, nextHopIp: address, via: 'local' } };
  const gateway = typeof entry.gateway === 'string' ? canonicalIp(entry.gateway) : null;
  return {
    ok: true,
    route: gateway === null
      ? { device, localIp, nextHopIp: address, via: 'direct' }
      : { device, localIp, nextHopIp: gateway, via: 'gateway' },
  };
}

export type NeighborResult = { usable: true; mac: string } | { usable: false; state: string };

/** Parses `ip -json neigh show <ip> dev <dev>`; unusable entries report their state (or `absent`). */
export function neighborFromJson(stdout: string): NeighborResult {
  const entry = firstEntry(stdout);
  if (entry === 'invalid') return { usable: false, state: 'unreadable' };
  if (entry === null) return { usable: false, state: 'absent' };
  const states = Array.isArray(entry.state) ? entry.state.filter((s): s is string => typeof s === 'string') : [];
  const mac = typeof entry.lladdr === 'string' ? entry.lladdr.toLowerCase() : null;
  if (mac !== null && /^([0-9a-f]{2}:){5}[0-9a-f]{2}$/.test(mac) && states.some((s) => USABLE_STATES.has(s))) {
    return { usable: true, mac };
  }
  return { usable: false, state: states.length === 0 ? 'no state' : states.join(',') };
}

/** Combines a route and its neighbour entry (null for `local` routes) into a next hop or an error. */
export function nextHopFrom(address: string, route: Route, neighbor: NeighborResult | null): NextHopResult {
  if (route.via === 'local') return { ok: true, hop: { ...route, mac: BROADCAST_MAC } };
  if (neighbor === null || !neighbor.usable) {
    const what = route.via === 'gateway' ? `gateway ${route.nextHopIp}` : address;
    const state = neighbor === null ? 'absent' : neighbor.state;
    return fail(address, 'neighbor', `no MAC for ${what} on ${route.device} (neighbour state ${state})`);
  }
  return { ok: true, hop: { ...route, mac: neighbor.mac } };
}

export function describeNextHopError(error: NextHopError): string {
  return `${error.address}: ${error.missing} missing: ${error.detail}`;
}
