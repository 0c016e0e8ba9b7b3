import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { spawnCollector, startCollector, type CollectorProcessOptions, type SpawnedCollector } from './collector-process.js';
import { spawnNode, type NodeLaunch, type NodeProcess } from './spawn-node.js';

const FAKE = fileURLToPath(new URL('./testdata/fake-collector.ts', import.meta.url));
const START_TIMEOUT_MS = 30_000;

describe('the collector process harness, with a stand-in collector script', function () {
  this.timeout(120_000);
  let dir = '';
  const started: SpawnedCollector[] = [];
  const options = (name: string, more: Partial<CollectorProcessOptions> = {}): CollectorProcessOptions => ({
    name,
    dir,
    entry: { script: FAKE },
    nodeArgs: ['--import', 'tsx'],
    ...more,
  });
  const start = async (name: string, more: Partial<CollectorProcessOptions> = {}, startTimeoutMs = START_TIMEOUT_MS) => {
    const c = await startCollector({ ...options(name, more), startTimeoutMs });
    started.push(c);
    return c;
  };

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lastgasp-collector-process-test-'));
  });
  after(async () => {
    for (const c of started) await c.kill();
    await rm(dir, { recursive: true, force: true });
  });

  it('config over defaults, serve args, Node.js flags and env → the process gets them all; listeners from the started line', async () => {
    const c = await start('all', {
      configDefaults: { identity: 'default', logLevel: 'info' },
      config: { identity: 'all', policy: { mode: 'immediate' } },
      args: ['--log-level', 'warn'],
      nodeArgs: ['--import', 'tsx', '--max-old-space-size=64'],
      env: { FAKE_COLLECTOR_ENV: 'seen' },
    });
    const configPath = join(dir, 'all.json');
    expect(JSON.parse(await readFile(configPath, 'utf8'))).to.deep.equal({ identity: 'all', logLevel: 'info', policy: { mode: 'immediate' } });
    const args = await c.waitForLog('arguments', 1000);
    expect(args.argv).to.deep.equal(['serve', '--config', configPath, '--log-level', 'warn']);
    expect(args.execArgv).to.include('--max-old-space-size=64');
    expect(args.env).to.equal('seen');
    expect(c.listeners.udp).to.deep.equal(['127.0.0.1:6666']);
    expect(c.listeners.grpc).to.equal('127.0.0.1:6667');
    expect(c.udpPort).to.equal(6666);
    expect(c.logPath).to.equal(join(dir, 'all.log'));
    // Written in two pieces: one entry, never a half.
    expect(c.log().filter((e) => e.msg === 'collector started')).to.have.length(1);
    expect(c.logText()).to.include('a warning that is no JSON');
  });

  it('no config → no config file; the serve args alone', async () => {
    const c = await spawnCollector(options('flags', { args: ['--standalone', '--udp-listen', '127.0.0.1:0'] }));
    started.push(c);
    const args = await c.waitForLog('arguments', START_TIMEOUT_MS);
    expect(args.argv).to.deep.equal(['serve', '--standalone', '--udp-listen', '127.0.0.1:0']);
    expect(existsSync(join(dir, 'flags.json'))).to.equal(false);
  });

  it('metric: fake_total on two label sets → their sum; an absent metric → null', async () => {
    const c = await start('metrics');
    expect(await c.metric('fake_total')).to.equal(5);
    expect(await c.metric('absent_total')).to.equal(null);
  });

  it('waitForLog with a predicate → the first entry for which it holds', async () => {
    const c = await start('ticks');
    const third = await c.waitForLog('tick', 30_000, (e) => e.n === 3);
    expect(third.n).to.equal(3);
    expect(c.log().filter((e) => e.msg === 'tick').map((e) => e.n)).to.include.members([0, 1, 2, 3]);
  });

  it('exits before "collector started" → rejects with the exit code and the log tail, not at the timeout', async () => {
    const err = await start('early', { config: { fake: { exitBeforeStart: true } } }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).to.be.instanceOf(Error);
    const message = (err as Error).message;
    expect(message).to.include('exited ({"code":3,"signal":null}) before logging "collector started"');
    expect(message).to.include('told to fail');
  });

  it('never logs "collector started" → times out naming the wait, with the log tail; the process is killed', async () => {
    const launched: NodeProcess[] = [];
    const err = await startCollector({
      ...options('silent', { config: { fake: { silent: true } } }),
      startTimeoutMs: 3000,
      launch: (l) => {
        const p = spawnNode(l);
        launched.push(p);
        return p;
      },
    }).then(
      () => null,
      (e: unknown) => e,
    );
    expect((err as Error).message).to.match(/timed out after .* waiting for collector silent to log "collector started"; last seen: log tail:\n.*"msg":"tick"/s);
    expect(launched.map((p) => p.exitInfo())).to.deep.equal([{ code: null, signal: 'SIGKILL' }]);
  });

  const stops: { name: string; sigterm: 'honoured' | 'ignored'; how: 'stop' | 'kill'; exit: { code: number | null; signal: NodeJS.Signals | null } }[] = [
    { name: 'honours SIGTERM, stop()', sigterm: 'honoured', how: 'stop', exit: { code: 0, signal: null } },
    { name: 'ignores SIGTERM, stop()', sigterm: 'ignored', how: 'stop', exit: { code: null, signal: 'SIGKILL' } },
    { name: 'honours SIGTERM, kill()', sigterm: 'honoured', how: 'kill', exit: { code: null, signal: 'SIGKILL' } },
  ];
  for (const { name, sigterm, how, exit } of stops) {
    it(`${name} → exits with ${JSON.stringify(exit)}`, async () => {
      const c = await start(`stop-${sigterm}-${how}`, { config: { fake: { ignoreSigterm: sigterm === 'ignored' } }, stopGraceMs: 1000 });
      await (how === 'stop' ? c.stop() : c.kill());
      expect(c.exitInfo()).to.deep.equal(exit);
      if (how === 'stop') expect(c.log().map((e) => e.msg)).to.include(sigterm === 'ignored' ? 'SIGTERM ignored' : 'stopping');
    });
  }

  it('a launcher passed in → it starts the process, given the name, node arguments, log path and environment', async () => {
    const seen: NodeLaunch[] = [];
    const c = await start('launched', {
      configDefaults: { identity: 'launched' },
      env: { FAKE_COLLECTOR_ENV: 'via launcher' },
      launch: (l) => {
        seen.push(l);
        return spawnNode(l);
      },
    });
    expect(seen).to.have.length(1);
    const [l] = seen;
    expect(l?.name).to.equal('collector launched');
    expect(l?.logPath).to.equal(c.logPath);
    expect(l?.args).to.deep.equal(['--import', 'tsx', FAKE, 'serve', '--config', join(dir, 'launched.json')]);
    expect(l?.env.FAKE_COLLECTOR_ENV).to.equal('via launcher');
    expect(l?.env.PATH).to.equal(process.env.PATH);
  });
});
