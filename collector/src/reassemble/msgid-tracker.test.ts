import { expect } from 'chai';
import { createMsgidState, observeMsgid, parseMsgid } from './msgid-tracker.js';

const feed = (ids: number[]) => {
  const state = createMsgidState();
  for (const id of ids) observeMsgid(state, id);
  return state;
};

describe('msgid loss counting', () => {
  it('consecutive ids: nothing lost', () => expect(feed([1, 2, 3, 4])).to.include({ lost: 0, restarts: 0, seen: 4 }));
  it('a gap of two: two lost', () => expect(feed([10, 11, 14, 15]).lost).to.equal(2));
  it('wraps at 2^32 without loss', () => expect(feed([4294967294, 4294967295, 0, 1]).lost).to.equal(0));
  it('a gap across the wrap counts', () => expect(feed([4294967295, 2]).lost).to.equal(2));
  it('a late arrival inside the window gives one back; a duplicate changes nothing', () => {
    expect(feed([1, 2, 4, 3, 5]).lost).to.equal(0);
    expect(feed([1, 2, 2, 3]).lost).to.equal(0);
  });
  it('a restarted counter (node rebooted, target re-created) is a restart, not loss', () => {
    expect(feed([500_000, 500_001, 0, 1, 2])).to.include({ lost: 0, restarts: 1 });
    expect(feed([5, 6, 3_000_000])).to.include({ lost: 0, restarts: 1 });
  });
  it('parses only 32-bit unsigned values', () => {
    expect(parseMsgid('42')).to.equal(42);
    expect(parseMsgid('4294967295')).to.equal(4294967295);
    expect(parseMsgid('4294967296')).to.equal(null);
    expect(parseMsgid('-1')).to.equal(null);
    expect(parseMsgid(undefined)).to.equal(null);
  });
});
