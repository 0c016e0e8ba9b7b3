import { appendFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { LogFile } from './log-file.js';

describe('LogFile', () => {
  const dirs: string[] = [];
  const pathInNewDir = async (name: string): Promise<string> => {
    const dir = await mkdtemp(join(tmpdir(), 'lastgasp-log-file-test-'));
    dirs.push(dir);
    return join(dir, name);
  };
  after(() => Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true }))));

  it('a file appended in pieces (a line cut in two, a character cut between its bytes) → each entry once, whole', async () => {
    const path = await pathInNewDir('pieces.log');
    const file = new LogFile(path);
    expect(file.entries()).to.deep.equal([]);
    const line = Buffer.from('{"time":2,"msg":"héllo"}\n');
    const cut = line.indexOf(0xc3) + 1;
    await appendFile(path, '{"time":1,"msg":"first"}\n{"time":2,');
    expect(file.entries().map((e) => e.msg)).to.deep.equal(['first']);
    await appendFile(path, line.subarray('{"time":2,'.length, cut));
    expect(file.entries().map((e) => e.msg)).to.deep.equal(['first']);
    await appendFile(path, line.subarray(cut));
    expect(file.entries().map((e) => e.msg)).to.deep.equal(['first', 'héllo']);
    expect(file.entries()).to.have.length(2);
  });

  it('a file larger than one read → every entry', async () => {
    const path = await pathInNewDir('large.log');
    const lines = Array.from({ length: 5000 }, (_, i) => JSON.stringify({ time: i, msg: 'line', pad: 'x'.repeat(40) }));
    await appendFile(path, `${lines.join('\n')}\n`);
    expect(new LogFile(path).entries().map((e) => e.time)).to.deep.equal(lines.map((_, i) => i));
  });
});
