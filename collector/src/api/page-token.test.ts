import { expect } from 'chai';
import { ApiError } from './errors.js';
import { decodePageToken, encodePageToken, pageSize } from './page-token.js';

describe('page-token', () => {
  it('hosts cursor → encodes and decodes to itself', () => {
    const token = encodePageToken({ list: 'hosts', after: '10.0.0.7' });
    expect(decodePageToken(token, 'hosts')).to.deep.equal({ list: 'hosts', after: '10.0.0.7' });
  });

  it('incidents cursor → encodes and decodes to itself', () => {
    const token = encodePageToken({ list: 'incidents', before: 42 });
    expect(decodePageToken(token, 'incidents')).to.deep.equal({ list: 'incidents', before: 42 });
  });

  it('"" → first page', () => expect(decodePageToken('', 'hosts')).to.equal(undefined));

  const bad: [string, string][] = [
    ['not base64url', 'a b'],
    ['base64 of not JSON', Buffer.from('nope').toString('base64url')],
    ['base64 of null', Buffer.from('null').toString('base64url')],
    ['an incidents token for hosts', encodePageToken({ list: 'incidents', before: 3 })],
    ['negative ordinal', Buffer.from('{"l":"i","b":-1}').toString('base64url')],
    ['fractional ordinal', Buffer.from('{"l":"i","b":1.5}').toString('base64url')],
    ['too long', 'a'.repeat(600)],
  ];
  for (const [name, token] of bad) {
    it(`${name} → invalid-argument`, () => {
      const list = name.includes('hosts') ? 'hosts' : 'incidents';
      expect(() => decodePageToken(token, list)).to.throw(ApiError).with.property('code', 'invalid-argument');
    });
  }

  const sizes: [number, number | 'error'][] = [
    [0, 100],
    [5, 5],
    [5000, 1000],
    [-1, 'error'],
  ];
  for (const [requested, want] of sizes) {
    it(`pageSize(${requested}) → ${want}`, () => {
      if (want === 'error') expect(() => pageSize(requested)).to.throw(ApiError);
      else expect(pageSize(requested)).to.equal(want);
    });
  }
});
