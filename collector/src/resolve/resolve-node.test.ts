import type { V1Node } from '@kubernetes/client-node';
import { expect } from 'chai';
import { normaliseAddress, nodeAddresses } from '../kube/node-addresses.js';
import { createNodeIndex } from './node-index.js';
import { createNodeResolver } from './resolve-node.js';

function node(name: string, addresses: [string, string][], ready = true): V1Node {
  return {
    metadata: { name },
    status: {
      addresses: addresses.map(([type, address]) => ({ type, address })),
      conditions: [{ type: 'Ready', status: ready ? 'True' : 'Unknown' }],
    },
  };
}

describe('normaliseAddress', () => {
  const cases: [string, string | null][] = [
    ['10.0.0.1', '10.0.0.1'],
    ['::ffff:10.0.0.1', '10.0.0.1'],
    ['::FFFF:0a00:0001', '10.0.0.1'],
    ['FD00:0:0:0::0001', 'fd00::1'],
    ['fe80::1%eth0', 'fe80::1'],
    ['worker-1', null],
    ['', null],
  ];
  for (const [input, want] of cases) it(`"${input}" → ${String(want)}`, () => expect(normaliseAddress(input)).to.equal(want));
});

describe('nodeAddresses', () => {
  it('ExternalIP only when asked for', () => {
    const n = node('w1', [['InternalIP', '192.168.1.5'], ['ExternalIP', '2001:DB8::5']]);
    expect(nodeAddresses(n)).to.deep.equal(['192.168.1.5']);
  });

  it('InternalIP and ExternalIP, normalised, deduplicated; names ignored', () => {
    const n = node('w1', [
      ['Hostname', 'w1'],
      ['InternalIP', '::ffff:192.168.1.5'],
      ['ExternalIP', '2001:DB8::5'],
      ['InternalIP', '192.168.1.5'],
      ['InternalDNS', 'w1.example'],
    ]);
    expect(nodeAddresses(n, ['InternalIP', 'ExternalIP'])).to.deep.equal(['192.168.1.5', '2001:db8::5']);
  });
});

describe('resolveNode', () => {
  const index = createNodeIndex();
  index.upsert(node('w1', [['InternalIP', '10.0.0.1'], ['ExternalIP', '2001:db8::1']]));
  index.upsert(node('w2', [['InternalIP', '10.0.0.2']], false));
  index.upsert(node('dup-a', [['InternalIP', '10.0.0.9']]));
  index.upsert(node('dup-b', [['InternalIP', '10.0.0.9']]));
  const cases: [string, string, Record<string, string>, string][] = [
    ['IPv4 InternalIP', '10.0.0.1', {}, 'w1'],
    ['IPv4-mapped source', '::ffff:10.0.0.1', {}, 'w1'],
    ['IPv6 ExternalIP (not attributed by default)', '2001:DB8:0::1', {}, 'unknown-source'],
    ['userdata agrees', '10.0.0.2', { node: 'w2' }, 'w2'],
    ['userdata disagrees', '10.0.0.2', { node: 'w1' }, 'node-mismatch'],
    ['unknown source', '10.9.9.9', {}, 'unknown-source'],
    ['unknown source with userdata', '10.9.9.9', { node: 'w1' }, 'unknown-source'],
    ['address shared by two Nodes', '10.0.0.9', {}, 'ambiguous-source'],
  ];
  for (const [name, source, userdata, want] of cases) {
    it(`${name}: ${source} ${JSON.stringify(userdata)} → ${want}`, () => {
      const r = createNodeResolver({ index, logIntervalMs: 1000 }).resolve(source, userdata, 0);
      expect(r.ok ? r.node : r.reason).to.equal(want);
    });
  }

  it('an unknown source is logged at most once per interval', () => {
    const resolver = createNodeResolver({ index, logIntervalMs: 1000 });
    const logs = [0, 500, 999, 1000, 1500, 2100].map((t) => {
      const r = resolver.resolve('10.9.9.9', {}, t);
      return !r.ok && r.shouldLog;
    });
    expect(logs).to.deep.equal([true, false, false, true, false, true]);
  });

  it('follows Node updates and deletions', () => {
    const idx = createNodeIndex();
    idx.upsert(node('w1', [['InternalIP', '10.0.0.1']]));
    idx.upsert(node('w1', [['InternalIP', '10.0.0.7']]));
    expect(idx.byAddress('10.0.0.1')).to.deep.equal([]);
    expect(idx.byAddress('10.0.0.7')).to.deep.equal(['w1']);
    idx.remove('w1');
    expect(idx.byAddress('10.0.0.7')).to.deep.equal([]);
    expect(idx.size()).to.equal(0);
  });
});
