// The loop with the real probe on loopback (a node whose address answers with an RST, a node without
// an address, which can never answer) and with a stand-in probe that hangs until aborted.
import { createServer, type AddressInfo } from 'node:net';
import { expect } from 'chai';
import type { DeathVerdict } from './death-verdict.js';
import type { ProbeTarget } from './probe-target.js';
import { createReachabilityCheck } from './reachability-check.js';
import { startReachabilityLoop } from './reachability-loop.js';

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function until(condition: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('reachability loop', () => {
  it('probes Ready nodes with the real probe and records who answered', async () => {
    const port = await closedPort();
    const check = createReachabilityCheck({ maxChecksPerSecond: 50, maxBatch: 5 });
    const targets: ProbeTarget[] = [
      { node: 'answers', addresses: ['127.0.0.1'], port },
      { node: 'no-address', addresses: [], port },
    ];
    const checked: string[] = [];
    const loop = startReachabilityLoop({
      check,
      readyTargets: () => targets,
      attemptTimeoutMs: 250,
      tickMs: 20,
      onChecked: (t) => checked.push(t.node),
      onError: (err) => expect.fail(String(err)),
    });
    try {
      await until(() => checked.length >= 2);
    } finally {
      await loop.stop();
    }
    const summary = check.summary(Date.now());
    expect(summary).to.include({ ready: 2, checked: 2, answering: 1, silent: 1 });
    expect(summary.silentNodes).to.deep.equal(['no-address']);
    expect(check.canProve('answers', Date.now() + 1)).to.equal(true);
    expect(check.provability('no-address', Date.now() + 1).reason).to.match(/never answered/);
  });

  it('stop() aborts checks in flight and records nothing for them', async () => {
    const check = createReachabilityCheck();
    let aborted = 0;
    const hanging = (_t: ProbeTarget, signal: AbortSignal): Promise<DeathVerdict> =>
      new Promise((_resolve, reject) => {
        signal.addEventListener('abort', () => {
          aborted++;
          reject(new Error('aborted'));
        });
      });
    const loop = startReachabilityLoop({
      check,
      readyTargets: () => [{ node: 'w1', addresses: ['127.0.0.1'], port: 1 }],
      attemptTimeoutMs: 250,
      tickMs: 1000,
      probe: hanging,
      onError: (err) => expect.fail(String(err)),
    });
    await loop.stop();
    expect(aborted).to.equal(1);
    expect(check.summary(Date.now()).checked).to.equal(0);
  });

  it('a throwing target list is reported, and the loop goes on', async () => {
    const check = createReachabilityCheck();
    const errors: unknown[] = [];
    let calls = 0;
    const loop = startReachabilityLoop({
      check,
      readyTargets: () => {
        calls++;
        throw new Error('informer not synced');
      },
      attemptTimeoutMs: 250,
      tickMs: 10,
      onError: (err) => errors.push(err),
    });
    try {
      await until(() => calls >= 3);
    } finally {
      await loop.stop();
    }
    expect(errors.length).to.be.at.least(3);
  });
});
