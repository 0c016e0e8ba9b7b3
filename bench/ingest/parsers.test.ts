import { expect } from 'chai';
import { parseLoadReport } from './load-generator.js';
import { parseProcStatCpu } from './process-cpu.js';
import { parseProcStatus } from './process-memory.js';
import { parseSocketDrops } from './socket-drops.js';

describe('parseSocketDrops', () => {
  const table = [
    '   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops',
    ' 1234: 0100007F:1A0A 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 1111 2 0000000000000000 17',
    ' 1235: 00000000:1A0A 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 1112 2 0000000000000000 3',
    ' 1236: 0100007F:0035 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 1113 2 0000000000000000 9',
  ].join('\n');
  const cases: [number, number | null][] = [
    [6666, 20],
    [53, 9],
    [7777, null],
  ];
  for (const [port, expected] of cases) {
    it(`port ${port} → ${expected}`, () => expect(parseSocketDrops(table, port)).to.equal(expected));
  }
});

describe('parseLoadReport', () => {
  it('a complete report', () => {
    const line =
      '{"sent":10,"bytes":900,"seconds":1.0,"cpuSeconds":0.5,"targetPps":10,"achievedPps":10,"maxLagMs":0.1,"sources":2,' +
      '"threads":1,"panics":0,"fragments":1,"sendErrors":0,"firstError":""}';
    expect(parseLoadReport(line).sent).to.equal(10);
  });
  it('a report without "sent"', () => {
    expect(() => parseLoadReport('{"bytes":1}')).to.throw(/lacks sent/);
  });
});

describe('parseProcStatus', () => {
  it('VmRSS and VmHWM', () => {
    const text = 'Name:\tnode\nVmHWM:\t  123456 kB\nVmRSS:\t   65432 kB\nThreads:\t7\n';
    expect(parseProcStatus(text)).to.deep.equal({ rssKiB: 65432, peakRssKiB: 123456 });
  });
  it('a status without VmRSS (kernel thread)', () => {
    expect(() => parseProcStatus('Name:\tkthreadd\n')).to.throw(/VmRSS/);
  });
});

describe('parseProcStatCpu', () => {
  const cases: [string, string, number][] = [
    ['a plain name', '42 (node) S 1 42 42 0 -1 4194560 9 0 0 0 250 130 0 0 20 0 11 0 1 2 3', 3.8],
    ['a name with spaces and parentheses', '42 (a (b) c) R 1 42 42 0 -1 0 0 0 0 0 7 3 0 0 20 0 1 0 1 2 3', 0.1],
  ];
  for (const [name, stat, seconds] of cases) {
    it(name, () => expect(parseProcStatCpu(stat)).to.be.closeTo(seconds, 1e-9));
  }
});
