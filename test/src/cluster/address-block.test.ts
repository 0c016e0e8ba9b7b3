import { expect } from 'chai';
import {
  canonicalAddress,
  ipv4BlockCandidates,
  isNodeAddress,
  layoutOf,
  nodeAddressAt,
  overlaps,
  POOL_CAPACITY,
  ulaPrefix,
} from './address-block.js';

describe('address block: overlaps', () => {
  const cases: [string, string, boolean][] = [
    ['100.77.16.0/20', '100.77.16.0/20', true],
    ['100.77.16.0/20', '100.77.20.5', true],
    ['100.64.0.0/10', '100.77.16.0/20', true],
    ['100.77.16.0/20', '100.77.32.0/20', false],
    ['192.0.2.0/24', '100.77.16.0/20', false],
    ['127.0.0.0/8', '127.0.0.1', true],
    ['fd00::/64', 'fd00::5', true],
    ['fd00::/8', 'fd12:3456::/64', true],
    ['fd00::/64', 'fd00:0:0:1::/64', false],
    ['fd00::/64', '100.77.16.0/20', false],
    ['not-a-prefix', '100.77.16.0/20', false],
  ];
  for (const [a, b, want] of cases) it(`${a} ∩ ${b} → ${want}`, () => expect(overlaps(a, b)).to.equal(want));
});

describe('address block: candidates and layout', () => {
  it('IPv4 candidates are /20 network addresses in 100.64.0.0/10, then 10.0.0.0/8', () => {
    let i = 0;
    const values = [0, 0.999999, 0.5, 0, 0.999999, 0.5];
    const out = ipv4BlockCandidates(() => values[i++ % values.length] ?? 0, 6);
    expect(out).to.deep.equal(['100.64.0.0/20', '100.127.240.0/20', '100.96.0.0/20', '10.0.0.0/20', '10.255.240.0/20', '10.128.0.0/20']);
  });

  it('a ULA prefix starts with fd and is a /64', () => {
    expect(ulaPrefix(Uint8Array.from([0x12, 0x34, 0x56, 0x78, 0x9a, 0x00, 0x01]))).to.equal('fd12:3456:789a:1::/64');
  });

  it('lays out links outside the node ranges', () => {
    const layout = layoutOf('100.77.16.0/20', 'fd12:3456:789a:1::/64');
    expect(layout).to.deep.equal({
      ipv4: { block: '100.77.16.0/20', nodes: '100.77.16.0/21', hostLink: '100.77.24.1/30', peerLink: '100.77.24.2/30', peerAddress: '100.77.24.2' },
      ipv6: {
        block: 'fd12:3456:789a:1::/64',
        nodes: 'fd12:3456:789a:1::/80',
        hostLink: 'fd12:3456:789a:1:ffff::1/126',
        peerLink: 'fd12:3456:789a:1:ffff::2/126',
        peerAddress: 'fd12:3456:789a:1:ffff::2',
      },
    });
    for (const link of [layout.ipv4.hostLink, layout.ipv4.peerAddress, layout.ipv6?.hostLink ?? '', layout.ipv6?.peerAddress ?? '']) {
      expect(isNodeAddress(layout, link.split('/')[0] ?? ''), link).to.equal(false);
    }
  });

  const badBlocks: [string, string | undefined][] = [
    ['100.77.16.0/24', undefined],
    ['100.77.17.0/20', undefined],
    ['100.77.16.0/20', 'fd12::/48'],
  ];
  for (const [v4, v6] of badBlocks) it(`refuses ${v4} ${v6 ?? ''}`, () => expect(() => layoutOf(v4, v6)).to.throw(RangeError));

  it('hands out node addresses without .0 and .255, paired with IPv6 ::n', () => {
    const layout = layoutOf('100.77.16.0/20', 'fd12:3456:789a:1::/64');
    expect(nodeAddressAt(layout, 0)).to.deep.equal({ ipv4: '100.77.16.1', ipv6: 'fd12:3456:789a:1::1' });
    expect(nodeAddressAt(layout, 253).ipv4).to.equal('100.77.16.254');
    expect(nodeAddressAt(layout, 254)).to.deep.equal({ ipv4: '100.77.17.1', ipv6: 'fd12:3456:789a:1::ff' });
    expect(nodeAddressAt(layout, POOL_CAPACITY - 1).ipv4).to.equal('100.77.23.254');
    expect(() => nodeAddressAt(layout, POOL_CAPACITY)).to.throw(RangeError);
    const all = Array.from({ length: POOL_CAPACITY }, (_, i) => nodeAddressAt(layout, i));
    expect(new Set(all.map((a) => a.ipv4)).size).to.equal(POOL_CAPACITY);
    expect(all.every((a) => isNodeAddress(layout, a.ipv4) && isNodeAddress(layout, a.ipv6 ?? ''))).to.equal(true);
  });

  it('an IPv4-only layout gives IPv4 only', () => {
    expect(nodeAddressAt(layoutOf('10.16.0.0/20'), 0)).to.deep.equal({ ipv4: '10.16.0.1' });
  });

  const canon: [string, string | null][] = [
    ['100.77.16.1', '100.77.16.1'],
    ['FD12:3456:789A:1:0:0:0:1', 'fd12:3456:789a:1::1'],
    ['worker-1', null],
  ];
  for (const [input, want] of canon) it(`canonical ${input} → ${want}`, () => expect(canonicalAddress(input)).to.equal(want));
});
