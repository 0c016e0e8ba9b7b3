import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { resolveNextHopLive, runCommand, type CommandResult, type IpRunner } from './ip-runner.js';

const fixture = (name: string) => readFileSync(new URL(`../testdata/ip/${name}`, import.meta.url), 'utf8');
const ok = (stdout: string): CommandResult => ({ stdout, stderr: '', code: 0 });

/** Replays recorded `ip` outputs: the neighbour table answers from `neigh` in turn (last one repeats). */
function recordedRunner(route: CommandResult, neigh: string[]): IpRunner & { provoked: string[]; calls: string[][] } {
  let n = 0;
  const runner = {
    provoked: [] as string[],
    calls: [] as string[][],
    ip(args: string[]) {
      runner.calls.push(args);
      if (args[1] === 'route') return Promise.resolve(route);
      const out = neigh[Math.min(n, neigh.length - 1)] ?? '[]';
      n += 1;
      return Promise.resolve(ok(out));
    },
    provoke(address: string) {
      runner.provoked.push(address);
      return Promise.resolve();
    },
  };
  return runner;
}

const fast = { neighborWaitMs: 50, pollMs: 10, sleep: () => Promise.resolve() };

describe('resolveNextHopLive', () => {
  it('reachable gateway → gateway MAC, nothing provoked', async () => {
    const runner = recordedRunner(ok(fixture('route-gateway-v4.json')), [fixture('neigh-reachable-v4.json')]);
    const result = await resolveNextHopLive('192.0.2.50', runner, fast);
    expect(result.ok && result.hop.mac).to.equal('b6:15:15:a3:9b:f0');
    expect(runner.provoked).to.deep.equal([]);
    expect(runner.calls[1]).to.deep.equal(['-json', 'neigh', 'show', '10.77.0.1', 'dev', 'veth0']);
  });
  it('failed neighbour, then reachable after a probe → MAC, the next hop was provoked', async () => {
    const runner = recordedRunner(ok(fixture('route-direct-v4.json')), [
      fixture('neigh-failed-v4.json'),
      fixture('neigh-incomplete-v4.json'),
      fixture('neigh-reachable-v4.json'),
    ]);
    const result = await resolveNextHopLive('10.77.0.1', runner, fast);
    expect(result.ok).to.equal(true);
    expect(runner.provoked).to.deep.equal(['10.77.0.1']);
  });
  it('neighbour stays FAILED → NeighborUnresolved error naming the address', async () => {
    const runner = recordedRunner(ok(fixture('route-direct-missing-v4.json')), [fixture('neigh-failed-v4.json')]);
    const result = await resolveNextHopLive('10.77.0.99', runner, fast);
    expect(result).to.deep.equal({
      ok: false,
      error: { address: '10.77.0.99', missing: 'neighbor', detail: 'no MAC for 10.77.0.99 on veth0 (neighbour state FAILED)' },
    });
  });
  it('`ip route get` fails → route error carrying its stderr', async () => {
    const runner = recordedRunner({ stdout: '', stderr: fixture('route-unreachable-v4.stderr.txt'), code: 2 }, []);
    const result = await resolveNextHopLive('192.0.2.50', runner, fast);
    expect(!result.ok && result.error.missing).to.equal('route');
  });
});

describe('runCommand', () => {
  it('the real `ip -json route get 127.0.0.1` on this host → a local route via lo', async () => {
    const result = await runCommand('ip', ['-json', 'route', 'get', '127.0.0.1']);
    expect(result.code).to.equal(0);
    expect(result.stdout).to.include('"dev":"lo"');
  });
  it('a missing command → code null and a message', async () => {
    const result = await runCommand('/nonexistent/ip', []);
    expect(result.code).to.equal(null);
    expect(result.stderr).to.match(/ENOENT/);
  });
});
