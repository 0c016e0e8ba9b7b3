// The guard's rule (pure), and the guard against this machine's own routes: `ip route get` only asks
// the kernel, it sends nothing, so no root and no namespace are needed.
import { expect } from 'chai';
import { NetworkFixtureError } from './network-fixture-errors.js';
import { assertRoutesStayLocal, routeLeavesMachine, type RouteLookup } from './route-guard.js';

describe('routeLeavesMachine', () => {
  const kinds = new Map<string, string | undefined>([
    ['eth0', undefined],
    ['lgp1a2b3ch', 'veth'],
    ['dummy0', 'dummy'],
    ['br0', 'bridge'],
    ['wg0', 'wireguard'],
    ['veth-gw', 'veth'],
  ]);
  const context = { defaultDevices: new Set(['eth0', 'veth-gw']), kindOf: (dev: string) => kinds.get(dev) };
  const cases: [name: string, route: RouteLookup, leaves: RegExp | null][] = [
    ['a local address', { type: 'local', dst: '127.0.0.1', dev: 'lo' }, null],
    ['loopback device', { dst: '127.0.0.2', dev: 'lo' }, null],
    ['our veth', { dst: '100.77.16.1', gateway: '100.77.24.2', dev: 'lgp1a2b3ch' }, null],
    ['a dummy device', { dst: '10.9.0.1', dev: 'dummy0' }, null],
    ['the default gateway', { dst: '198.51.100.7', gateway: '192.0.2.1', dev: 'eth0' }, /via 192\.0\.2\.1 on eth0, which carries a default route/],
    ['on-link on the uplink', { dst: 'fd00::99', dev: 'eth0' }, /on eth0, which carries a default route/],
    ['a veth that carries the default route', { dst: '10.1.1.1', dev: 'veth-gw' }, /default route/],
    ['a bridge', { dst: '10.2.0.5', dev: 'br0' }, /br0 \(bridge\)/],
    ['a VPN', { dst: '10.3.0.5', dev: 'wg0' }, /wg0 \(wireguard\)/],
    ['no device', { dst: '10.3.0.5' }, /no device/],
  ];
  for (const [name, route, leaves] of cases) {
    it(`${name} → ${leaves === null ? 'stays' : 'leaves'}`, () => {
      const reason = routeLeavesMachine(route, context);
      if (leaves === null) expect(reason).to.equal(null);
      else expect(reason).to.match(leaves);
    });
  }
});

describe('assertRoutesStayLocal (this machine)', () => {
  it('loopback stays', async () => {
    await assertRoutesStayLocal(['127.0.0.1', '::1']);
  });

  it('a documentation address takes the default route: it throws, naming it', async () => {
    await assertRoutesStayLocal(['127.0.0.1', '198.51.100.7']).then(
      () => expect.fail('did not throw'),
      (err: unknown) => {
        expect(err).to.be.instanceOf(NetworkFixtureError);
        expect((err as NetworkFixtureError).code).to.equal('ROUTES_OFF_MACHINE');
        expect((err as Error).message).to.match(/198\.51\.100\.7: routed/);
        expect((err as Error).message).to.not.match(/127\.0\.0\.1/);
      },
    );
  });

  it('a host name is an error, not a pass', async () => {
    await assertRoutesStayLocal(['not an address']).then(
      () => expect.fail('did not throw'),
      (err: unknown) => expect((err as NetworkFixtureError).code).to.equal('COMMAND_FAILED'),
    );
  });
});
