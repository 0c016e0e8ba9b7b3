import { expect } from 'chai';
import { planTargets, targetName } from './plan-targets.js';
import type { ObservedTarget, TargetSpec } from './types.js';

const spec = (address: string, mac = 'aa:bb:cc:dd:ee:01'): TargetSpec => ({
  endpoint: { address, port: 6666 },
  devName: 'eth0',
  localIp: '10.0.0.2',
  remoteMac: mac,
  extended: true,
  release: false,
  userdataNode: null,
  sysdata: [],
  ratelimit: null,
});

const observedFor = (s: TargetSpec, overrides: Record<string, string> = {}, name = targetName('lastgasp', s)): ObservedTarget => ({
  name,
  attributes: {
    enabled: '1',
    dev_name: s.devName,
    local_ip: s.localIp,
    remote_ip: s.endpoint.address,
    remote_port: String(s.endpoint.port),
    remote_mac: s.remoteMac,
    extended: '1',
    ...overrides,
  },
  userdata: {},
  sysdata: {},
});

describe('planTargets', () => {
  const a = spec('10.0.0.5');
  const b = spec('10.0.0.6');
  const aNewMac = spec('10.0.0.5', 'aa:bb:cc:dd:ee:99');

  const cases = [
    { name: 'nothing there, two endpoints → two creates', desired: [a, b], observed: [], unresolved: [], kinds: ['create', 'create'], keep: 0 },
    { name: 'both exactly as desired → nothing to do', desired: [a, b], observed: [observedFor(a), observedFor(b)], unresolved: [], kinds: [], keep: 2 },
    { name: 'our target disabled by someone → repair', desired: [a], observed: [observedFor(a, { enabled: '0' })], unresolved: [], kinds: ['repair'], keep: 0 },
    { name: 'our target remote_ip changed by someone → repair', desired: [a], observed: [observedFor(a, { remote_ip: '10.9.9.9' })], unresolved: [], kinds: ['repair'], keep: 0 },
    { name: 'endpoint moved a → b → create b, then remove a', desired: [b], observed: [observedFor(a)], unresolved: [], kinds: ['create', 'remove'], keep: 0 },
    { name: 'gateway MAC changed → create the new target before removing the old', desired: [aNewMac], observed: [observedFor(a)], unresolved: [], kinds: ['create', 'remove'], keep: 0 },
    { name: 'next hop unresolved now → existing target retained', desired: [], observed: [observedFor(a)], unresolved: [a.endpoint], kinds: [], keep: 0 },
    { name: 'IPv6 read back in another spelling still matches', desired: [spec('fd00::5')], observed: [observedFor(spec('fd00::5'), { remote_ip: 'fd00:0:0::5' })], unresolved: [], kinds: [], keep: 1 },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const plan = planTargets({ prefix: 'lastgasp', desired: c.desired, unresolved: c.unresolved, observed: c.observed });
      expect(plan.actions.map((x) => x.kind)).to.deep.equal(c.kinds);
      expect(plan.keep).to.have.length(c.keep);
    });
  }

  it('a removal superseded by a new target for the same endpoint names that endpoint', () => {
    const plan = planTargets({ prefix: 'lastgasp', desired: [aNewMac], unresolved: [], observed: [observedFor(a)] });
    expect(plan.actions[1]).to.deep.equal({ kind: 'remove', name: targetName('lastgasp', a), replacedBy: '10.0.0.5:6666' });
  });

  it('names are stable for one spec and differ when anything in it differs', () => {
    expect(targetName('lastgasp', a)).to.equal(targetName('lastgasp', spec('10.0.0.5')));
    expect(targetName('lastgasp', a)).to.not.equal(targetName('lastgasp', aNewMac));
    expect(targetName('lastgasp', a)).to.match(/^lastgasp-[0-9a-f]{12}$/);
  });
});
