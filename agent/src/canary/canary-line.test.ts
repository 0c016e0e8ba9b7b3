import { expect } from 'chai';
import { canaryLevel, kmsgRecord } from './canary-line.js';

describe('canary line', () => {
  const levels: [string, number | null][] = [
    ['4\t4\t1\t7\n', 3],
    ['7 4 1 7', 6],
    ['8 4 1 7', 6],
    ['15 4 1 7', 6],
    ['2 4 1 7', 1],
    ['1 4 1 7', null],
    ['garbage', null],
  ];
  for (const [printk, want] of levels) {
    it(`printk ${JSON.stringify(printk)} → level ${want}`, () => expect(canaryLevel(printk)).to.equal(want));
  }

  it('the /dev/kmsg record carries level, node and counter', () => {
    expect(kmsgRecord(3, 'worker-1', 7)).to.equal('<3>lastgasp: netconsole path check node=worker-1 seq=7\n');
  });
  it('once the agent knows, the record says whether the kernel will send its panic', () => {
    expect(kmsgRecord(6, 'worker-1', 2, 'suppressed')).to.equal('<6>lastgasp: netconsole path check node=worker-1 seq=2 panic-line=suppressed\n');
  });
});
