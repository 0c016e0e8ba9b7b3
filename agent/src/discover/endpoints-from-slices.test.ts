import type { V1EndpointSlice } from '@kubernetes/client-node';
import { expect } from 'chai';
import { endpointsFromSlices } from './endpoints-from-slices.js';
import { canonicalIp, parseEndpoint } from './parse-endpoint.js';

const slice = (addressType: string, ports: V1EndpointSlice['ports'], endpoints: V1EndpointSlice['endpoints']): V1EndpointSlice => ({
  addressType,
  ports,
  endpoints,
});
const udp = [{ name: 'netconsole', port: 6666, protocol: 'UDP' }, { name: 'grpc', port: 6667, protocol: 'TCP' }];

describe('endpointsFromSlices', () => {
  const cases = [
    {
      name: 'one IPv4 slice, two ready endpoints',
      slices: [slice('IPv4', udp, [{ addresses: ['10.0.0.6'] }, { addresses: ['10.0.0.5'], conditions: { ready: true } }])],
      want: ['10.0.0.5:6666', '10.0.0.6:6666'],
    },
    {
      name: 'not-ready and terminating endpoints are left out',
      slices: [slice('IPv4', udp, [{ addresses: ['10.0.0.5'], conditions: { ready: false, terminating: true } }, { addresses: ['10.0.0.6'] }])],
      want: ['10.0.0.6:6666'],
    },
    {
      name: 'IPv4 and IPv6 slices of one Service',
      slices: [slice('IPv4', udp, [{ addresses: ['10.0.0.5'] }]), slice('IPv6', udp, [{ addresses: ['FD00:0::5'] }])],
      want: ['10.0.0.5:6666', 'fd00::5:6666'],
    },
    { name: 'FQDN slice ignored', slices: [slice('FQDN', udp, [{ addresses: ['collector.example'] }])], want: [] },
    { name: 'no port with that name', slices: [slice('IPv4', [{ name: 'grpc', port: 6667 }], [{ addresses: ['10.0.0.5'] }])], want: [] },
    { name: 'named port but TCP (the default protocol)', slices: [slice('IPv4', [{ name: 'netconsole', port: 6666 }], [{ addresses: ['10.0.0.5'] }])], want: [] },
    {
      // What the API serves for a Service without ready pods: no `endpoints` field at all.
      name: 'a slice without endpoints (field absent) beside one with',
      slices: [{ addressType: 'IPv4', ports: udp } as V1EndpointSlice, slice('IPv4', udp, [{ addresses: ['10.0.0.5'] }])],
      want: ['10.0.0.5:6666'],
    },
    { name: 'the same address in two slices counted once', slices: [slice('IPv4', udp, [{ addresses: ['10.0.0.5'] }]), slice('IPv4', udp, [{ addresses: ['10.0.0.5'] }])], want: ['10.0.0.5:6666'] },
  ];
  for (const c of cases) {
    it(c.name, () => {
      expect(endpointsFromSlices(c.slices, 'netconsole').map((e) => `${e.address}:${e.port}`)).to.deep.equal(c.want);
    });
  }
});

describe('parseEndpoint / canonicalIp', () => {
  const cases: [string, unknown][] = [
    ['10.0.0.5:6666', { address: '10.0.0.5', port: 6666 }],
    ['[fd00::5]:6666', { address: 'fd00::5', port: 6666 }],
    ['[FD00:0:0::0005]:1', { address: 'fd00::5', port: 1 }],
    ['10.0.0.5', '"10.0.0.5" is not IP:PORT or [IPv6]:PORT'],
    ['10.0.0.5:70000', 'port 70000 in "10.0.0.5:70000" is out of range'],
    ['host:6666', '"host" in "host:6666" is not an IP address'],
  ];
  for (const [input, want] of cases) it(JSON.stringify(input), () => expect(parseEndpoint(input)).to.deep.equal(want));
  it('canonicalIp(not an IP) → null', () => expect(canonicalIp('x')).to.equal(null));
});
