import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { logTail, startProcess } from './processes.js';
import { waitFor } from '../testing/wait-for.js';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('startProcess', function () {
  this.timeout(30_000);
  let dir = '';
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lastgasp-proc-test-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('a process writing to stdout and stderr: both land in the log; stop() ends it with SIGTERM', async () => {
    const logPath = join(dir, 'p.log');
    const p = startProcess({ name: 'p', command: 'sh', args: ['-c', 'echo out; echo err >&2; exec sleep 60'], logPath });
    await waitFor('both lines in the log', async () => (await readFile(logPath, 'utf8')).includes('err'), { timeoutMs: 10_000 });
    expect(logTail(logPath)).to.equal('out\nerr');
    await p.stop();
    expect(p.exitInfo()).to.deep.equal({ code: null, signal: 'SIGTERM' });
    expect(alive(p.pid)).to.equal(false);
  });

  it('a process that ignores SIGTERM: stop() escalates to SIGKILL after the grace period', async () => {
    const script = 'trap "" TERM; echo ready; while :; do sleep 0.1; done';
    const logPath = join(dir, 'stubborn.log');
    const p = startProcess({ name: 'stubborn', command: 'sh', args: ['-c', script], logPath });
    await waitFor('the trap to be set', async () => (await readFile(logPath, 'utf8')).includes('ready'), { timeoutMs: 10_000 });
    const started = Date.now();
    await p.stop(300);
    expect(p.exitInfo()?.signal).to.equal('SIGKILL');
    expect(Date.now() - started).to.be.at.least(290);
  });

  it('a command that does not exist: exits at once, stop() is a no-op', async () => {
    const p = startProcess({ name: 'missing', command: 'lastgasp-no-such-binary', args: [], logPath: join(dir, 'm.log') });
    const info = await p.exited;
    expect(info.code).to.not.equal(0);
    await p.stop();
  });
});

describe('teardown of a test process that ends abnormally', function () {
  this.timeout(60_000);
  const fixture = fileURLToPath(new URL('./testdata/teardown-fixture.ts', import.meta.url));
  const cases: { name: string; mode: 'wait' | 'throw'; signal?: NodeJS.Signals; dirRemoved: boolean }[] = [
    { name: 'SIGTERM', mode: 'wait', signal: 'SIGTERM', dirRemoved: true },
    { name: 'SIGINT', mode: 'wait', signal: 'SIGINT', dirRemoved: true },
    { name: 'an uncaught exception', mode: 'throw', dirRemoved: true },
    // No hook runs on SIGKILL; the parent-death signal still takes the child down.
    { name: 'SIGKILL', mode: 'wait', signal: 'SIGKILL', dirRemoved: false },
  ];
  for (const { name, mode, signal, dirRemoved } of cases) {
    it(`${name}: the child process is gone${dirRemoved ? ' and the directory removed' : ''}`, async () => {
      const base = await mkdtemp(join(tmpdir(), 'lastgasp-teardown-test-'));
      const dir = join(base, 'owned');
      try {
        const parent = spawn(process.execPath, ['--import', 'tsx', fixture, dir, mode], { stdio: ['ignore', 'pipe', 'pipe'] });
        let stdout = '';
        let stderr = '';
        parent.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
        parent.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
        const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
          parent.once('exit', (code, sig) => resolve({ code, signal: sig })),
        );
        const childPid = await waitFor('the fixture to print its child pid', () => {
          const match = /^(\d+)\n/.exec(stdout);
          return Promise.resolve(match?.[1] ? Number(match[1]) : undefined);
        }, { timeoutMs: 30_000, describe: () => Promise.resolve(`stdout ${stdout} stderr ${stderr}`) });
        expect(alive(childPid)).to.equal(true);
        if (signal) parent.kill(signal);
        const result = await exited;
        if (signal) expect(result.signal).to.equal(signal);
        else expect(result.code).to.not.equal(0);
        await waitFor('the child to be gone', () => Promise.resolve(!alive(childPid)), { timeoutMs: 10_000 });
        expect(existsSync(dir)).to.equal(!dirRemoved);
      } finally {
        await rm(base, { recursive: true, force: true });
      }
    });
  }
});
