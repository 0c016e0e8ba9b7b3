import { expect } from 'chai';
import { decodeGuestMessage, encodeHostMessage } from './guest-protocol.js';

describe('guest-protocol', () => {
  const valid: Array<[string, unknown]> = [
    ['{"t":"ready","pid":7,"uptimeMs":2500}', { t: 'ready', pid: 7, uptimeMs: 2500 }],
    ['{"t":"out","id":3,"fd":2,"data":"aGk="}', { t: 'out', id: 3, fd: 2, data: Buffer.from('hi') }],
    ['{"t":"exit","id":3,"code":0,"signal":null}', { t: 'exit', id: 3, code: 0, signal: null }],
    ['{"t":"exit","id":3,"code":null,"signal":"SIGTERM"}', { t: 'exit', id: 3, code: null, signal: 'SIGTERM' }],
    ['{"t":"error","id":4,"message":"ENOENT"}', { t: 'error', id: 4, message: 'ENOENT' }],
  ];
  for (const [line, expected] of valid) {
    it(`decodes ${line}`, () => {
      expect(decodeGuestMessage(line)).to.deep.equal(expected);
    });
  }

  const invalid = ['', 'not json', '[]', '{"t":"out","id":1,"fd":3,"data":""}', '{"t":"exit","id":"1","code":0,"signal":null}', '{"t":"nope","id":1}'];
  for (const line of invalid) {
    it(`returns null for ${JSON.stringify(line)}`, () => {
      expect(decodeGuestMessage(line)).to.equal(null);
    });
  }

  it('encodes one line per message', () => {
    expect(encodeHostMessage({ t: 'kill', id: 2, signal: 'SIGINT' })).to.equal('{"t":"kill","id":2,"signal":"SIGINT"}\n');
  });
});
