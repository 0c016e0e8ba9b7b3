import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { BROADCAST_MAC, neighborFromJson, nextHopFrom, routeFromJson } from './resolve-next-hop.js';

// Recorded on Debian 12 (iproute2 6.1) in a network namespace with a veth pair: 10.77.0.2/24 and
// fd77::2/64 locally, 10.77.0.1 / fd77::1 on the peer, default routes via the peer.
const fixture = (name: string) => readFileSync(new URL(`../testdata/ip/${name}`, import.meta.url), 'utf8');

describe('routeFromJson', () => {
  const cases = [
    { file: 'route-direct-v4.json', address: '10.77.0.1', want: { device: 'veth0', localIp: '10.77.0.2', nextHopIp: '10.77.0.1', via: 'direct' } },
    { file: 'route-gateway-v4.json', address: '192.0.2.50', want: { device: 'veth0', localIp: '10.77.0.2', nextHopIp: '10.77.0.1', via: 'gateway' } },
    { file: 'route-direct-v6.json', address: 'fd77::1', want: { device: 'veth0', localIp: 'fd77::2', nextHopIp: 'fd77::1', via: 'direct' } },
    { file: 'route-gateway-v6.json', address: '2001:db8::50', want: { device: 'veth0', localIp: 'fd77::2', nextHopIp: 'fd77::1', via: 'gateway' } },
    { file: 'route-local-v4.json', address: '127.0.0.1', want: { device: 'lo', localIp: '127.0.0.1', nextHopIp: '127.0.0.1', via: 'local' } },
    { file: 'route-local-v6.json', address: '::1', want: { device: 'lo', localIp: '::1', nextHopIp: '::1', via: 'local' } },
  ];
  for (const c of cases) {
    it(`${c.file} → ${c.want.via} via ${c.want.device}`, () => {
      const result = routeFromJson(c.address, fixture(c.file));
      expect(result).to.deep.equal({ ok: true, route: c.want });
    });
  }

  it('no output with "Network is unreachable" on stderr → error naming the address and the route', () => {
    const result = routeFromJson('192.0.2.50', '', fixture('route-unreachable-v4.stderr.txt'));
    expect(result).to.deep.equal({
      ok: false,
      error: { address: '192.0.2.50', missing: 'route', detail: 'RTNETLINK answers: Network is unreachable' },
    });
  });

  const broken = [
    { name: 'not JSON', stdout: 'garbage', missing: 'route' },
    { name: 'an unreachable route type', stdout: '[{"type":"unreachable","dst":"10.1.1.1","flags":[]}]', missing: 'route' },
    { name: 'no device', stdout: '[{"dst":"10.1.1.1","prefsrc":"10.0.0.2"}]', missing: 'device' },
    { name: 'no prefsrc', stdout: '[{"dst":"10.1.1.1","dev":"eth0"}]', missing: 'local address' },
  ];
  for (const b of broken) {
    it(`${b.name} → missing ${b.missing}`, () => {
      const result = routeFromJson('10.1.1.1', b.stdout);
      expect(result.ok).to.equal(false);
      if (!result.ok) {
        expect(result.error.missing).to.equal(b.missing);
        expect(result.error.address).to.equal('10.1.1.1');
      }
    });
  }
});

describe('neighborFromJson', () => {
  const cases = [
    { file: 'neigh-reachable-v4.json', want: { usable: true, mac: 'b6:15:15:a3:9b:f0' } },
    { file: 'neigh-reachable-v6.json', want: { usable: true, mac: 'b6:15:15:a3:9b:f0' } },
    { file: 'neigh-failed-v4.json', want: { usable: false, state: 'FAILED' } },
    { file: 'neigh-incomplete-v4.json', want: { usable: false, state: 'INCOMPLETE' } },
    { file: 'neigh-absent-v4.json', want: { usable: false, state: 'absent' } },
  ];
  for (const c of cases) {
    it(`${c.file} → ${c.want.usable ? 'usable' : c.want.state}`, () => {
      expect(neighborFromJson(fixture(c.file))).to.deep.equal(c.want);
    });
  }
  it('a STALE entry with an lladdr is usable (upper-case MAC normalised)', () => {
    expect(neighborFromJson('[{"dst":"10.0.0.1","lladdr":"AA:BB:CC:DD:EE:FF","state":["STALE"]}]')).to.deep.equal({
      usable: true,
      mac: 'aa:bb:cc:dd:ee:ff',
    });
  });
});

describe('nextHopFrom', () => {
  it('gateway route + reachable gateway → the gateway MAC', () => {
    const route = routeFromJson('192.0.2.50', fixture('route-gateway-v4.json'));
    if (!route.ok) throw new Error('fixture');
    const result = nextHopFrom('192.0.2.50', route.route, neighborFromJson(fixture('neigh-reachable-v4.json')));
    expect(result).to.deep.equal({
      ok: true,
      hop: { device: 'veth0', localIp: '10.77.0.2', nextHopIp: '10.77.0.1', via: 'gateway', mac: 'b6:15:15:a3:9b:f0' },
    });
  });
  it('gateway route + failed gateway neighbour → error naming the address, the gateway and the state', () => {
    const route = routeFromJson('192.0.2.50', fixture('route-gateway-v4.json'));
    if (!route.ok) throw new Error('fixture');
    const result = nextHopFrom('192.0.2.50', route.route, neighborFromJson(fixture('neigh-failed-v4.json')));
    expect(result).to.deep.equal({
      ok: false,
      error: { address: '192.0.2.50', missing: 'neighbor', detail: 'no MAC for gateway 10.77.0.1 on veth0 (neighbour state FAILED)' },
    });
  });
  it('local route → broadcast MAC without a neighbour lookup', () => {
    const route = routeFromJson('127.0.0.1', fixture('route-local-v4.json'));
    if (!route.ok) throw new Error('fixture');
    const result = nextHopFrom('127.0.0.1', route.route, null);
    expect(result.ok && result.hop.mac).to.equal(BROADCAST_MAC);
  });
});
