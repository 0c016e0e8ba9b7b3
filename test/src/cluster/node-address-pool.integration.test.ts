// The node address pool against the real kernel: live addresses answer a SYN with an RST, killed ones
// stay silent (a true timeout), unreachable ones answer with ICMP; nothing routes off the machine; and
// everything is gone afterwards — after remove(), after a failed set-up, and when the owning process
// ends without cleaning up. Needs root (network namespaces); without it the pool says so and fails.
import { spawn } from 'node:child_process';
import { Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { ip } from './ip-command.js';
import { NetworkFixtureError } from './network-fixture-errors.js';
import { createNodeAddressPool, type NodeAddressPool } from './node-address-pool.js';
import { assertRoutesStayLocal } from './route-guard.js';
import { waitFor } from '../testing/wait-for.js';

/** Long enough that a silent address is told apart from a slow one: the kernel's SYN retry is at 1 s. */
const SILENCE_MS = 1500;

/** One TCP connect: `connected`, `timeout`, or the error code; with how long it took. */
function connect(address: string, port: number, timeoutMs: number): Promise<{ result: string; ms: number }> {
  const started = performance.now();
  return new Promise((resolve) => {
    const socket = new Socket();
    const done = (result: string): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ result, ms: performance.now() - started });
    };
    const timer = setTimeout(() => done('timeout'), timeoutMs);
    socket.once('connect', () => done('connected'));
    socket.on('error', (err: NodeJS.ErrnoException) => done(err.code ?? err.message));
    socket.connect({ host: address, port });
  });
}

interface MachineState {
  netns: string;
  links: string;
  routes: string;
}

async function machineState(): Promise<MachineState> {
  return {
    netns: await ip(['netns', 'list']),
    links: await ip(['-o', 'link', 'show']),
    routes: (await ip(['-4', 'route', 'show', 'table', 'all'])) + (await ip(['-6', 'route', 'show', 'table', 'all'])),
  };
}

/** Fails when anything named by `traces` (namespace, device, block) is still on the machine. */
async function expectGone(traces: readonly string[]): Promise<void> {
  const state = await machineState();
  for (const trace of traces) {
    for (const [what, text] of Object.entries(state)) expect(text, `${trace} left in ${what}`).to.not.include(trace);
  }
}

describe('node address pool (real namespace)', function () {
  this.timeout(60_000);
  let pool: NodeAddressPool;

  before(async () => {
    pool = await createNodeAddressPool();
  });
  after(async () => {
    await pool.remove();
  });

  it('hands out distinct addresses that stay on this machine', async () => {
    const nodes = [pool.allocate(), pool.allocate(), pool.allocate()];
    const all = nodes.flatMap((n) => n.all);
    expect(new Set(all).size).to.equal(6);
    expect(nodes.every((n) => n.ipv6 !== undefined)).to.equal(true);
    await assertRoutesStayLocal(all);
  });

  it('a live address answers a SYN on any port with an RST, IPv4 and IPv6', async () => {
    const node = pool.allocate();
    for (const address of node.all) {
      for (const port of [10250, 22, 65000]) {
        const { result, ms } = await connect(address, port, SILENCE_MS);
        expect(result, `${address}:${port}`).to.equal('ECONNREFUSED');
        expect(ms).to.be.lessThan(500);
      }
    }
  });

  it('a killed address is silent (a real timeout) while its neighbours still answer; revive brings it back', async () => {
    const dead = pool.allocate();
    const alive = pool.allocate();
    await pool.kill(...dead.all);
    await assertRoutesStayLocal(dead.all);
    const results = await Promise.all([...dead.all, ...alive.all].map((a) => connect(a, 10250, SILENCE_MS)));
    expect(results.map((r) => r.result)).to.deep.equal(['timeout', 'timeout', 'ECONNREFUSED', 'ECONNREFUSED']);
    await pool.kill(...dead.all); // idempotent
    await pool.revive(...dead.all);
    await pool.revive(...dead.all); // idempotent
    for (const address of dead.all) expect((await connect(address, 10250, SILENCE_MS)).result, address).to.equal('ECONNREFUSED');
  });

  it('an unreachable address answers with ICMP: host unreachable (IPv4), network unreachable (IPv6)', async () => {
    const node = pool.allocate();
    await pool.unreachable(...node.all);
    // IPv6: Linux's TCP reports the ICMPv6 error on the SYN's retransmission, about 1 s later.
    expect((await connect(node.ipv4, 10250, 2500)).result).to.equal('EHOSTUNREACH');
    expect((await connect(node.ipv6 ?? '', 10250, 2500)).result).to.equal('ENETUNREACH');
    await pool.revive(...node.all);
    expect((await connect(node.ipv4, 10250, SILENCE_MS)).result).to.equal('ECONNREFUSED');
  });

  it('refuses to touch addresses outside the pool', async () => {
    for (const address of ['10.0.0.7', pool.layout.ipv4.peerAddress, 'not-an-address']) {
      await pool.kill(address).then(
        () => expect.fail(`kill(${address}) succeeded`),
        (err: unknown) => expect((err as NetworkFixtureError).code, address).to.equal('NOT_IN_POOL'),
      );
    }
  });

  it('two pools get different blocks; a taken block fails set-up and leaves nothing behind', async () => {
    const second = await createNodeAddressPool();
    try {
      expect(second.layout.ipv4.block).to.not.equal(pool.layout.ipv4.block);
      expect(second.layout.ipv6?.block).to.not.equal(pool.layout.ipv6?.block);
      const failing = createNodeAddressPool({ ipv4Block: '100.127.240.0/20', ipv6Block: pool.layout.ipv6?.block ?? '' });
      await failing.then(
        () => expect.fail('a pool on a claimed block was created'),
        (err: unknown) => {
          expect((err as NetworkFixtureError).code).to.equal('NO_FREE_BLOCK');
          expect((err as Error).message).to.include('overlaps');
        },
      );
      await expectGone(['100.127.240.0/20']);
    } finally {
      await second.remove();
    }
    await second.remove(); // idempotent
    await expectGone([second.netns, second.hostDevice, second.layout.ipv4.block, second.layout.ipv6?.block ?? '']);
  });

  it('after remove(), nothing of the pool is left and it refuses further use', async () => {
    const third = await createNodeAddressPool({ ipv6: false });
    const node = third.allocate();
    expect(node.ipv6).to.equal(undefined);
    await third.remove();
    await expectGone([third.netns, third.hostDevice, third.layout.ipv4.block]);
    expect(() => third.allocate()).to.throw(NetworkFixtureError, /was removed/);
    await third.kill(node.ipv4).then(
      () => expect.fail('kill after remove succeeded'),
      (err: unknown) => expect((err as NetworkFixtureError).code).to.equal('POOL_REMOVED'),
    );
  });
});

describe('node address pool: a process that ends without removing its pool', function () {
  this.timeout(60_000);
  const fixture = fileURLToPath(new URL('./testdata/address-pool-fixture.ts', import.meta.url));
  const cases: { name: string; mode: 'wait' | 'throw' | 'exit'; signal?: NodeJS.Signals }[] = [
    { name: 'SIGTERM', mode: 'wait', signal: 'SIGTERM' },
    { name: 'an uncaught exception', mode: 'throw' },
    { name: 'process.exit', mode: 'exit' },
  ];
  for (const { name, mode, signal } of cases) {
    it(`${name}: namespace, veth pair and host routes are removed`, async () => {
      const child = spawn(process.execPath, ['--import', 'tsx', '--conditions', 'lastgasp-source', fixture, mode], { stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      const line = await waitFor('the fixture to print its pool', () => Promise.resolve(/^(\{.*\})\n/.exec(stdout)?.[1]), {
        timeoutMs: 30_000,
        describe: () => Promise.resolve(`stdout ${stdout} stderr ${stderr}`),
      });
      const made = JSON.parse(line) as { netns: string; hostDevice: string; v4: string; v6: string };
      const state = await machineState();
      expect(state.netns).to.include(made.netns);
      expect(state.routes).to.include(made.v4);
      if (signal !== undefined) child.kill(signal);
      await exited;
      await expectGone([made.netns, made.hostDevice, made.v4, made.v6]);
    });
  }
});
