import { expect } from 'chai';
import { splitLogLines, type SplitLog } from './log-lines.js';

describe('splitLogLines', () => {
  const cases: [string, string, SplitLog][] = [
    ['empty text', '', { entries: [], rest: '' }],
    ['one whole line', '{"time":1,"msg":"a","x":2}\n', { entries: [{ time: 1, msg: 'a', x: 2 }], rest: '' }],
    ['a line still being written', '{"time":1,"msg":"a"}\n{"time":2,"ms', { entries: [{ time: 1, msg: 'a' }], rest: '{"time":2,"ms' }],
    ['a Node.js warning between entries', '{"time":1,"msg":"a"}\n(node:7) Warning: x\n{"time":2,"msg":"b"}\n', {
      entries: [{ time: 1, msg: 'a' }, { time: 2, msg: 'b' }],
      rest: '',
    }],
    ['JSON without time or msg', '{"msg":"no time"}\n{"time":1}\n{"time":"1","msg":"a"}\n', { entries: [], rest: '' }],
    ['a broken JSON line', '{"time":1,"msg":\n', { entries: [], rest: '' }],
  ];
  for (const [name, text, expected] of cases) {
    it(`${name} → ${expected.entries.length} entries`, () => expect(splitLogLines(text)).to.deep.equal(expected));
  }
});
