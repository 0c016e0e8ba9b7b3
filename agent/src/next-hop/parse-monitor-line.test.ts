import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import type { NextHop } from '../types.js';
import { parseMonitorLine } from './parse-monitor-line.js';
import { relevantChange } from './watch-ip-monitor.js';

// Recorded with `ip monitor route neigh` in a test namespace: a route added, neighbours flushed, re-resolved.
const recorded = readFileSync(new URL('../testdata/ip/monitor-route-neigh.txt', import.meta.url), 'utf8').split('\n').filter(Boolean);

describe('parseMonitorLine', () => {
  const cases = [
    { line: '198.51.100.0/24 via 10.77.0.1 dev veth0 ', want: { kind: 'route' } },
    { line: 'Deleted 198.51.100.0/24 via 10.77.0.1 dev veth0 ', want: { kind: 'route' } },
    { line: 'default via 10.0.0.1 dev eth0 proto dhcp src 10.0.0.5 metric 100 ', want: { kind: 'route' } },
    { line: '10.77.0.1 dev veth0 FAILED ', want: { kind: 'neigh', address: '10.77.0.1', device: 'veth0', mac: null, deleted: false } },
    {
      line: '10.77.0.1 dev veth0 lladdr b6:15:15:a3:9b:f0 REACHABLE ',
      want: { kind: 'neigh', address: '10.77.0.1', device: 'veth0', mac: 'b6:15:15:a3:9b:f0', deleted: false },
    },
    { line: 'Deleted fd77::1 dev veth0 FAILED ', want: { kind: 'neigh', address: 'fd77::1', device: 'veth0', mac: null, deleted: true } },
    { line: '3: eth1: <BROADCAST,MULTICAST,SLAVE,UP> mtu 1500 qdisc noop master bond0 state DOWN ', want: { kind: 'link', device: 'eth1' } },
    { line: '4: veth0@if3: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 ', want: { kind: 'link', device: 'veth0' } },
  ];
  for (const c of cases) {
    it(JSON.stringify(c.line), () => expect(parseMonitorLine(c.line)).to.deep.equal(c.want));
  }
  it('every recorded line is understood (route or neighbour)', () => {
    for (const line of recorded) expect(parseMonitorLine(line).kind, line).to.be.oneOf(['route', 'neigh']);
  });
});

describe('relevantChange', () => {
  const hop: NextHop = { device: 'veth0', localIp: '10.77.0.2', nextHopIp: '10.77.0.1', mac: 'b6:15:15:a3:9b:f0', via: 'gateway' };
  const cases = [
    { line: '10.77.0.1 dev veth0 lladdr b6:15:15:a3:9b:f0 STALE ', want: null },
    { line: '10.77.0.1 dev veth0 lladdr 02:00:00:00:00:01 REACHABLE ', want: 'neighbour 10.77.0.1 changed MAC to 02:00:00:00:00:01' },
    { line: '10.77.0.1 dev veth0 FAILED ', want: 'neighbour 10.77.0.1 unresolved' },
    { line: '10.77.0.9 dev veth0 FAILED ', want: null },
    { line: '7: veth0: <BROADCAST,SLAVE,UP> mtu 1500 master br0 ', want: 'link veth0 changed' },
    { line: '8: eth7: <BROADCAST,UP> mtu 1500 ', want: null },
    { line: '198.51.100.0/24 via 10.77.0.1 dev veth0 ', want: 'route change' },
  ];
  for (const c of cases) {
    it(`${JSON.stringify(c.line)} → ${c.want ?? 'ignored'}`, () => expect(relevantChange(parseMonitorLine(c.line), [hop])).to.equal(c.want));
  }
});
