// Addresses for fake Nodes that answer like live nodes and fall silent like dead ones.
//
// One pool = one network namespace of the test's own, joined to the host by a veth pair. In the
// namespace every node address is local through an AnyIP route (`ip route add local <range> dev lo
// table local`), so a TCP SYN to any port of any node address is answered by the namespace's kernel —
// with an RST when nothing listens, as a live node's kernel does. The host routes the range via the
// namespace's end of the link, so there is one neighbour entry for the link, none per address.
//
// kill(address): a blackhole route for that one address in the namespace's local table, more specific
// than the AnyIP range, so its SYNs are dropped without a word — a real timeout, as a panicked node
// gives. unreachable(address): an `unreachable` route instead, so the namespace answers with ICMP host
// (IPv6: network) unreachable. revive(address) removes either.
//
// Safety: the pool's blocks are claimed on the host with blackhole routes before anything else (an
// exact-prefix route add fails when another pool holds the block, so parallel runs never share one),
// so no address of a pool can ever take the default route off this machine. Blocks are checked against
// every route the machine has. Everything is removed by remove(), also when set-up fails half-way, and
// by the process-wide teardown registry on a signal or exit.
import { randomBytes, randomInt } from 'node:crypto';
import {
  canonicalAddress,
  ipv4BlockCandidates,
  isNodeAddress,
  layoutOf,
  nodeAddressAt,
  overlaps,
  POOL_CAPACITY,
  ulaPrefix,
  type PoolLayout,
} from './address-block.js';
import { ip, ipJson, ipQuietlySync, runIp } from './ip-command.js';
import { NetworkFixtureError } from './network-fixture-errors.js';
import { registerTeardown } from './teardown-registry.js';

export interface NodeAddressPoolOptions {
  /** Give every node an IPv6 address too (default true). */
  ipv6?: boolean;
  /** Use this IPv4 /20 instead of a free one picked at random; it must not overlap any route. */
  ipv4Block?: string;
  /** Use this IPv6 /64 instead of a random unique-local one; it must not overlap any route. */
  ipv6Block?: string;
}

/** The addresses of one fake Node. */
export interface NodeAddressSet {
  ipv4: string;
  ipv6?: string;
  /** IPv4 first, then IPv6 when there is one. */
  all: string[];
}

export interface NodeAddressPool {
  /** The namespace that answers for the nodes. */
  readonly netns: string;
  /** The host's end of the veth pair. */
  readonly hostDevice: string;
  readonly layout: PoolLayout;
  /** The next unused node addresses; throws POOL_EXHAUSTED after POOL_CAPACITY nodes. */
  allocate(): NodeAddressSet;
  /** Drops SYNs to these addresses silently (a dead node). */
  kill(...addresses: string[]): Promise<void>;
  /** Answers SYNs to these addresses with ICMP unreachable. */
  unreachable(...addresses: string[]): Promise<void>;
  /** Undoes kill/unreachable: the addresses answer again. */
  revive(...addresses: string[]): Promise<void>;
  /** Removes the namespace, the veth pair and the host routes; idempotent. */
  remove(): Promise<void>;
}

/** Attempts at a free random block before giving up. */
const BLOCK_TRIES = 24;

interface HostRoutes {
  v4: string[];
  v6: string[];
}

async function hostRoutes(): Promise<HostRoutes> {
  const dsts = async (family: string): Promise<string[]> =>
    (await ipJson<{ dst?: string }>([family, 'route', 'show', 'table', 'all'])).map((r) => r.dst ?? '').filter((d) => d !== '' && d !== 'default');
  return { v4: await dsts('-4'), v6: await dsts('-6') };
}

/**
 * Claims the first candidate that overlaps none of `routes` with a host blackhole route. A candidate
 * claimed meanwhile by another process fails with "File exists" and the next one is tried.
 */
async function claimBlock(candidates: readonly string[], routes: readonly string[], family: '-4' | '-6'): Promise<string> {
  const tried: string[] = [];
  for (const block of candidates) {
    const clash = routes.find((r) => overlaps(r, block));
    if (clash !== undefined) {
      tried.push(`${block} (overlaps ${clash})`);
      continue;
    }
    const result = await runIp([family, 'route', 'add', 'blackhole', block]);
    if (result.ok) return block;
    if (!/File exists/.test(result.stderr)) throw new NetworkFixtureError('COMMAND_FAILED', `ip route add blackhole ${block}: ${result.stderr.trim()}`);
    tried.push(`${block} (claimed by another pool)`);
  }
  throw new NetworkFixtureError('NO_FREE_BLOCK', `no free address block for the node address pool; tried ${tried.join(', ')}`);
}

function assertRoot(): void {
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    throw new NetworkFixtureError('NOT_ROOT', 'the node address pool needs root: it creates a network namespace, a veth pair and host routes');
  }
}

/** Configures the namespace and the host side once the claims, the namespace and the veth pair exist. */
async function wire(netns: string, host: string, peer: string, layout: PoolLayout): Promise<void> {
  const inNs = (args: string[]): Promise<string> => ip(['-n', netns, ...args]);
  await inNs(['link', 'set', 'lo', 'up']);
  // Forwarding on makes `unreachable` routes answer with ICMP; no rate limit so every attempt gets one.
  await ip(['netns', 'exec', netns, 'sysctl', '-q', '-w', 'net.ipv4.conf.all.forwarding=1', 'net.ipv4.icmp_ratelimit=0', 'net.ipv6.icmp.ratelimit=0']);
  const families = [['-4', layout.ipv4] as const, ...(layout.ipv6 === undefined ? [] : [['-6', layout.ipv6] as const])];
  for (const [family, l] of families) {
    const nodad = family === '-6' ? ['nodad'] : [];
    await ip([family, 'addr', 'add', l.hostLink, 'dev', host, ...nodad]);
    await inNs([family, 'addr', 'add', l.peerLink, 'dev', peer, ...nodad]);
  }
  await inNs(['link', 'set', peer, 'up']);
  await ip(['link', 'set', host, 'up']);
  for (const [family, l] of families) {
    await inNs([family, 'route', 'add', 'local', l.nodes, 'dev', 'lo', 'table', 'local']);
    await ip([family, 'route', 'add', l.nodes, 'via', l.peerAddress, 'dev', host]);
  }
}

/** Creates a pool; see the header. Needs root. */
export async function createNodeAddressPool(options: NodeAddressPoolOptions = {}): Promise<NodeAddressPool> {
  assertRoot();
  const id = randomBytes(3).toString('hex');
  const netns = `lg-pool-${process.pid}-${id}`;
  const host = `lgp${id}h`;
  const peer = `lgp${id}n`;
  // Each undo step is one `ip` command (its failure ignored: what is gone needs no undoing), so the
  // same list serves remove() and the synchronous exit hook. Run in reverse order of set-up.
  const undo: string[][] = [];
  const teardownSync = (): void => {
    for (const args of undo.splice(0).reverse()) ipQuietlySync(args);
  };
  let unregister = (): void => undefined;
  let removed = false;
  const remove = async (): Promise<void> => {
    if (removed) return;
    removed = true;
    for (const args of undo.splice(0).reverse()) await runIp(args);
    unregister();
  };
  unregister = registerTeardown({ name: `node address pool ${netns}`, run: remove, runSync: teardownSync });

  let layout: PoolLayout;
  try {
    const routes = await hostRoutes();
    const v4Candidates = options.ipv4Block !== undefined ? [options.ipv4Block] : ipv4BlockCandidates(() => randomInt(2 ** 32) / 2 ** 32, BLOCK_TRIES);
    const v4 = await claimBlock(v4Candidates, routes.v4, '-4');
    undo.push(['-4', 'route', 'del', 'blackhole', v4]);
    let v6: string | undefined;
    if (options.ipv6 !== false) {
      const v6Candidates = options.ipv6Block !== undefined ? [options.ipv6Block] : Array.from({ length: BLOCK_TRIES }, () => ulaPrefix(randomBytes(7)));
      v6 = await claimBlock(v6Candidates, routes.v6, '-6');
      undo.push(['-6', 'route', 'del', 'blackhole', v6]);
    }
    layout = layoutOf(v4, v6);
    await ip(['netns', 'add', netns]);
    undo.push(['netns', 'del', netns]);
    await ip(['link', 'add', host, 'type', 'veth', 'peer', 'name', peer, 'netns', netns]);
    undo.push(['link', 'del', host]);
    await wire(netns, host, peer, layout);
  } catch (err) {
    await remove();
    throw err;
  }

  let next = 0;
  const nodeRoute = (address: string): [family: string, prefix: string] => {
    const canonical = canonicalAddress(address);
    if (canonical === null || !isNodeAddress(layout, canonical)) {
      throw new NetworkFixtureError('NOT_IN_POOL', `${address} is not a node address of pool ${netns}`);
    }
    return canonical.includes(':') ? ['-6', `${canonical}/128`] : ['-4', `${canonical}/32`];
  };
  const setRoute = async (type: 'blackhole' | 'unreachable', addresses: string[]): Promise<void> => {
    if (removed) throw new NetworkFixtureError('POOL_REMOVED', `pool ${netns} was removed`);
    for (const [family, prefix] of addresses.map(nodeRoute)) await ip(['-n', netns, family, 'route', 'replace', type, prefix, 'table', 'local']);
  };

  return {
    netns,
    hostDevice: host,
    layout,
    allocate() {
      if (removed) throw new NetworkFixtureError('POOL_REMOVED', `pool ${netns} was removed`);
      if (next >= POOL_CAPACITY) throw new NetworkFixtureError('POOL_EXHAUSTED', `all ${POOL_CAPACITY} node addresses of pool ${netns} are in use`);
      const { ipv4, ipv6 } = nodeAddressAt(layout, next++);
      return ipv6 === undefined ? { ipv4, all: [ipv4] } : { ipv4, ipv6, all: [ipv4, ipv6] };
    },
    kill: (...addresses) => setRoute('blackhole', addresses),
    unreachable: (...addresses) => setRoute('unreachable', addresses),
    async revive(...addresses) {
      if (removed) throw new NetworkFixtureError('POOL_REMOVED', `pool ${netns} was removed`);
      for (const [family, prefix] of addresses.map(nodeRoute)) {
        const result = await runIp(['-n', netns, family, 'route', 'del', prefix, 'table', 'local']);
        if (!result.ok && !/No such process/.test(result.stderr)) {
          throw new NetworkFixtureError('COMMAND_FAILED', `ip -n ${netns} ${family} route del ${prefix} table local: ${result.stderr.trim()}`);
        }
      }
    },
    remove,
  };
}
