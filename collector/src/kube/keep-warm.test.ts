import { expect } from 'chai';
import { startKeepWarm } from './keep-warm.js';

/** A ping that stays in flight until released, counting how many are in flight at once. */
function pings() {
  let inFlight = 0;
  let peak = 0;
  let calls = 0;
  const waiting: Array<() => void> = [];
  return {
    ping: () => {
      calls++;
      inFlight++;
      peak = Math.max(peak, inFlight);
      return new Promise<void>((resolve) =>
        waiting.push(() => {
          inFlight--;
          resolve();
        }),
      );
    },
    releaseAll: () => waiting.splice(0).forEach((r) => r()),
    stats: () => ({ calls, peak, inFlight }),
  };
}

describe('startKeepWarm', () => {
  it('warm() → `connections` requests at once (one socket each); a second warm() meanwhile adds none', async () => {
    const p = pings();
    const kw = startKeepWarm({ connections: 8, intervalMs: 60_000, ping: p.ping, isLeader: () => true, onError: () => undefined });
    const first = kw.warm();
    void kw.warm();
    expect(p.stats()).to.deep.equal({ calls: 8, peak: 8, inFlight: 8 });
    p.releaseAll();
    await first;
    kw.stop();
  });

  it('a failed ping is reported once per round and the round still settles', async () => {
    const errors: unknown[] = [];
    let n = 0;
    const kw = startKeepWarm({
      connections: 3,
      intervalMs: 60_000,
      ping: () => (++n === 2 ? Promise.reject(new Error('HTTP 503')) : Promise.resolve()),
      isLeader: () => true,
      onError: (err) => errors.push(err),
    });
    await kw.warm();
    kw.stop();
    expect(errors.map(String)).to.deep.equal(['Error: HTTP 503']);
  });

  it('the interval warms only while leading', async () => {
    const p = pings();
    let leading = false;
    const kw = startKeepWarm({ connections: 2, intervalMs: 20, ping: p.ping, isLeader: () => leading, onError: () => undefined });
    await new Promise((r) => setTimeout(r, 70));
    expect(p.stats().calls).to.equal(0);
    leading = true;
    await new Promise((r) => setTimeout(r, 70));
    kw.stop();
    p.releaseAll();
    expect(p.stats().calls).to.equal(2);
  });
});
