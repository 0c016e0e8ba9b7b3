import { expect } from 'chai';
import { formatLogLine, isLogFormat, logDestination } from './log-format.js';

describe('log formats', () => {
  it('text: time, level, message, then the fields as key=value', () => {
    const line = JSON.stringify({ level: 30, time: Date.UTC(2026, 0, 2, 3, 4, 5, 678), pid: 7, hostname: 'h', msg: 'incident held', node: 'worker-1', reason: 'StormLimit', pods: 3, ok: true });
    expect(formatLogLine(line)).to.equal('2026-01-02T03:04:05.678Z INFO  incident held node=worker-1 reason=StormLimit pods=3 ok=true\n');
  });

  it('text: values with blanks or quotes are JSON-quoted, objects JSON, so an entry stays one line', () => {
    const line = JSON.stringify({ level: 40, time: 0, msg: 'x', detail: 'two words\nand "quotes"', listeners: { udp: ['[::]:6666'] } });
    expect(formatLogLine(line)).to.equal('1970-01-01T00:00:00.000Z WARN  x detail="two words\\nand \\"quotes\\"" listeners={"udp":["[::]:6666"]}\n');
  });

  it("text: an error's message as a field, its stack indented below", () => {
    const line = JSON.stringify({ level: 50, time: 0, msg: 'failed', err: { type: 'Error', message: 'boom', stack: 'Error: boom\n    at a (x.js:1:1)\n    at b (y.js:2:2)' } });
    expect(formatLogLine(line)).to.equal('1970-01-01T00:00:00.000Z ERROR failed err=boom\n    at a (x.js:1:1)\n    at b (y.js:2:2)\n');
  });

  it('text: control characters from kernel text (ESC, CSI, BEL) never reach the terminal raw', () => {
    const line = JSON.stringify({ level: 50, time: 0, msg: 'bad \u001b[2J line', text: 'a\u009b31m\u0007b', err: { message: 'e', stack: 'Error: e\n    at \u001b]0;title\u0007 (x.js:1:1)' } });
    const out = formatLogLine(line);
    // eslint-disable-next-line no-control-regex -- the point is that none is left
    expect(out.replace(/\n/g, '')).to.not.match(/[\u0000-\u001f\u007f-\u009f]/);
    expect(out).to.equal('1970-01-01T00:00:00.000Z ERROR bad \\x1b[2J line text="a\\u009b31m\\u0007b" err=e\n    at \\x1b]0;title\\x07 (x.js:1:1)\n');
    expect(formatLogLine('plain \u001b[31mred\n')).to.equal('plain \\x1b[31mred\n');
  });

  it('text: a line that is not a JSON object passes unchanged', () => {
    expect(formatLogLine('(node:7) Warning: something\n')).to.equal('(node:7) Warning: something\n');
    expect(formatLogLine('[1,2]')).to.equal('[1,2]\n');
  });

  it('json: no destination of its own (pino writes its lines); text: a destination writing text', () => {
    expect(logDestination('json')).to.equal(undefined);
    const out: string[] = [];
    logDestination('text', { write: (t: string) => out.push(t) })?.write('{"level":20,"time":0,"msg":"m"}\n');
    expect(out).to.deep.equal(['1970-01-01T00:00:00.000Z DEBUG m\n']);
  });

  it('knows exactly json and text', () => {
    expect(['json', 'text', 'pretty', ''].map(isLogFormat)).to.deep.equal([true, true, false, false]);
  });
});
