import { expect } from 'chai';
import { normaliseAddress, parseListenAddress } from './normalise-address.js';

describe('normaliseAddress', () => {
  const rows: [string, string][] = [
    ['::ffff:10.0.0.1', '10.0.0.1'],
    ['::FFFF:192.168.1.20', '192.168.1.20'],
    ['10.0.0.1', '10.0.0.1'],
    ['FD00::1', 'fd00::1'],
    ['::1', '::1'],
  ];
  for (const [input, output] of rows) it(`${input} → ${output}`, () => expect(normaliseAddress(input)).to.equal(output));
});

describe('parseListenAddress', () => {
  const rows: [string, { host: string; port: number } | null][] = [
    ['[::]:6666', { host: '::', port: 6666 }],
    ['0.0.0.0:6666', { host: '0.0.0.0', port: 6666 }],
    ['[fd00::1]:7000', { host: 'fd00::1', port: 7000 }],
    [':6666', { host: '::', port: 6666 }],
    ['127.0.0.1:99999', null],
    ['::1:6666', null],
    ['nohost', null],
  ];
  for (const [input, output] of rows) it(`${input} → ${JSON.stringify(output)}`, () => expect(parseListenAddress(input)).to.deep.equal(output));
});
