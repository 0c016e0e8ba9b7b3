// A guard for tests that send to addresses other than loopback: before the first packet, ask the
// kernel (`ip route get`, which sends nothing) where each address would go, and fail loudly unless it
// stays on this machine. Test traffic must only ever reach loopback or namespaces the test made.
//
// "Stays" (an allow-list, so anything unexpected fails): a local route or the loopback device; a route
// out of a veth or dummy device that carries no default route (a namespace of this machine); or no
// route at all (blackhole, unreachable, prohibit: nothing is sent). Everything else — a physical
// device, a device with a default route, a bridge, a tunnel or VPN device — counts as leaving.
import { NetworkFixtureError } from './network-fixture-errors.js';
import { ipJson, runIp } from './ip-command.js';

/** One entry of `ip -j route get` as far as the guard reads it. */
export interface RouteLookup {
  type?: string;
  dst?: string;
  gateway?: string;
  dev?: string;
}

export interface RouteContext {
  /** Devices that carry a default route (IPv4 or IPv6). */
  defaultDevices: ReadonlySet<string>;
  /** `linkinfo.info_kind` of a device (`veth`, `dummy`, `bridge`, `tun`…), undefined for plain hardware. */
  kindOf: (device: string) => string | undefined;
  /**
   * Also a TAP device (`tun`): only inside a namespace the test made, where its far end is the test's own
   * QEMU guest (on the host a `tun` device may be a VPN).
   */
  tapIsLocal?: boolean;
}

/** Device kinds whose far end is on this machine. */
const LOCAL_KINDS: ReadonlySet<string> = new Set(['veth', 'dummy']);

/** `ip route get` failures that mean "no route, nothing is sent" (blackhole, unreachable, prohibit). */
const NO_ROUTE = /RTNETLINK answers: (Invalid argument|Network is unreachable|No route to host|Permission denied)/;

/** Why this route leaves the machine, or null when it stays. Pure. */
export function routeLeavesMachine(route: RouteLookup, context: RouteContext): string | null {
  if (route.type === 'local' || route.dev === 'lo') return null;
  const dev = route.dev;
  if (dev === undefined) return 'the route names no device';
  const via = route.gateway === undefined ? '' : ` via ${route.gateway}`;
  if (context.defaultDevices.has(dev)) return `routed${via} on ${dev}, which carries a default route`;
  const kind = context.kindOf(dev);
  const local = kind !== undefined && (LOCAL_KINDS.has(kind) || (kind === 'tun' && context.tapIsLocal === true));
  if (!local) return `routed${via} on ${dev} (${kind ?? 'hardware'}), not a device of this machine's namespaces`;
  return null;
}

async function routeContext(ns: string[]): Promise<{ defaults: Set<string>; kinds: Map<string, string | undefined> }> {
  const defaults = new Set<string>();
  for (const family of ['-4', '-6']) {
    for (const r of await ipJson<RouteLookup>([...ns, family, 'route', 'show', 'default'])) if (r.dev !== undefined) defaults.add(r.dev);
  }
  const kinds = new Map<string, string | undefined>();
  for (const link of await ipJson<{ ifname: string; linkinfo?: { info_kind?: string } }>([...ns, '-d', 'link', 'show'])) {
    kinds.set(link.ifname, link.linkinfo?.info_kind);
  }
  return { defaults, kinds };
}

/**
 * Throws ROUTES_OFF_MACHINE naming every address that would leave this machine, and why. `netns`: look
 * from inside that namespace (one the test made), where whatever probes the addresses runs.
 */
export async function assertRoutesStayLocal(addresses: readonly string[], netns?: string): Promise<void> {
  const ns = netns === undefined ? [] : ['-n', netns];
  const { defaults, kinds } = await routeContext(ns);
  const context: RouteContext = { defaultDevices: defaults, kindOf: (dev) => kinds.get(dev), tapIsLocal: netns !== undefined };
  const leaks: string[] = [];
  for (const address of addresses) {
    const result = await runIp([...ns, '-j', 'route', 'get', address]);
    if (!result.ok) {
      if (NO_ROUTE.test(result.stderr)) continue;
      throw new NetworkFixtureError('COMMAND_FAILED', `ip route get ${address}: ${result.stderr.trim()}`);
    }
    const [route] = JSON.parse(result.stdout) as RouteLookup[];
    const reason = route === undefined ? 'no route reported' : routeLeavesMachine(route, context);
    if (reason !== null) leaks.push(`${address}: ${reason}`);
  }
  if (leaks.length > 0) {
    throw new NetworkFixtureError('ROUTES_OFF_MACHINE', `test traffic would leave this machine: ${leaks.join('; ')}`);
  }
}
