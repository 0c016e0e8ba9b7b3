import type { V1Node } from '@kubernetes/client-node';
import { expect } from 'chai';
import { DEFAULT_KUBELET_PORT, probeTargetOf } from './probe-target.js';

function node(status: V1Node['status']): V1Node {
  return { metadata: { name: 'worker-1' }, status };
}

describe('probeTargetOf', () => {
  const cases: [name: string, status: V1Node['status'], addresses: string[], port: number][] = [
    ['no status', undefined, [], DEFAULT_KUBELET_PORT],
    ['the kubelet port reported', { daemonEndpoints: { kubeletEndpoint: { Port: 10251 } } }, [], 10251],
    ['port 0 (not reported)', { daemonEndpoints: { kubeletEndpoint: { Port: 0 } } }, [], DEFAULT_KUBELET_PORT],
    ['a port out of range', { daemonEndpoints: { kubeletEndpoint: { Port: 70000 } } }, [], DEFAULT_KUBELET_PORT],
    [
      'InternalIP only, IPv4 and IPv6, normalised and distinct',
      {
        addresses: [
          { type: 'Hostname', address: 'worker-1' },
          { type: 'ExternalIP', address: '203.0.113.7' },
          { type: 'InternalIP', address: '10.0.0.7' },
          { type: 'InternalIP', address: 'FD00:0:0::7' },
          { type: 'InternalIP', address: '::ffff:10.0.0.7' },
          { type: 'InternalIP', address: 'not-an-ip' },
        ],
      },
      ['10.0.0.7', 'fd00::7'],
      DEFAULT_KUBELET_PORT,
    ],
  ];
  for (const [name, status, addresses, port] of cases) {
    it(`${name} → ${JSON.stringify(addresses)} port ${port}`, () => {
      expect(probeTargetOf(node(status))).to.deep.equal({ node: 'worker-1', addresses, port });
    });
  }

  it('an operator-chosen port wins over the kubelet port', () => {
    expect(probeTargetOf(node({ daemonEndpoints: { kubeletEndpoint: { Port: 10251 } } }), 22).port).to.equal(22);
  });
});
