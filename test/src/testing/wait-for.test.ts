import { expect } from 'chai';
import { WaitForTimeoutError, describeValue, waitFor } from './wait-for.js';

describe('waitFor', () => {
  const resolving: { name: string; results: unknown[]; want: unknown }[] = [
    { name: 'a value on the first probe', results: ['node-1'], want: 'node-1' },
    { name: 'undefined, then false, then 0', results: [undefined, false, 0], want: 0 },
    { name: 'a throw, then true', results: [new Error('connection refused'), true], want: true },
    { name: 'an empty string after undefined', results: [undefined, ''], want: '' },
  ];
  for (const { name, results, want } of resolving) {
    it(`resolves with the first accepted result: ${name}`, async () => {
      let i = 0;
      const got = await waitFor(
        'the value',
        () => {
          const r = results[i++];
          return r instanceof Error ? Promise.reject(r) : Promise.resolve(r);
        },
        { intervalMs: 1, timeoutMs: 5000 },
      );
      expect(got).to.equal(want);
      expect(i).to.equal(results.length);
    });
  }

  const timingOut: { name: string; probe: () => Promise<unknown>; describe?: () => Promise<string>; seen: RegExp }[] = [
    { name: 'a probe that always answers false', probe: () => Promise.resolve(false), seen: /last seen: false$/ },
    { name: 'a probe that answers undefined', probe: () => Promise.resolve(undefined), seen: /last seen: undefined$/ },
    {
      name: 'a probe that throws',
      probe: () => Promise.reject(new Error('HTTP 503')),
      seen: /last seen: error: Error: HTTP 503$/,
    },
    {
      name: 'a probe and a describe function',
      probe: () => Promise.resolve(false),
      describe: () => Promise.resolve('phase=Pending'),
      seen: /last seen: phase=Pending$/,
    },
    {
      name: 'a describe function that throws',
      probe: () => Promise.resolve(undefined),
      describe: () => Promise.reject(new Error('apiserver down')),
      seen: /last seen: undefined \(describe failed: Error: apiserver down\)$/,
    },
  ];
  for (const { name, probe, describe: describeFn, seen } of timingOut) {
    it(`on timeout names the wait, the elapsed time and what it last saw: ${name}`, async () => {
      const started = Date.now();
      const err: unknown = await waitFor('pods to be Running', probe as () => Promise<false>, {
        timeoutMs: 50,
        intervalMs: 5,
        describe: describeFn,
      }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).to.be.instanceOf(WaitForTimeoutError);
      const message = (err as Error).message;
      expect(message).to.match(/^timed out after \d+\.\d s waiting for pods to be Running; last seen: /);
      expect(message).to.match(seen);
      expect(Date.now() - started).to.be.at.least(50);
    });
  }

  it('probes once even with a zero timeout', async () => {
    let calls = 0;
    const got = await waitFor('x', () => Promise.resolve(++calls), { timeoutMs: 0 });
    expect(got).to.equal(1);
  });
});

describe('describeValue', () => {
  const cases: { name: string; value: unknown; want: string }[] = [
    { name: 'a string', value: 'Pending', want: '"Pending"' },
    { name: 'an object', value: { phase: 'Running' }, want: '{"phase":"Running"}' },
    { name: 'an error', value: new TypeError('bad'), want: 'TypeError: bad' },
    { name: 'undefined', value: undefined, want: 'undefined' },
    { name: 'a function', value: () => 1, want: 'function' },
  ];
  for (const { name, value, want } of cases) {
    it(`renders ${name}`, () => expect(describeValue(value)).to.equal(want));
  }
  it('cuts a long value and says how long it was', () => {
    expect(describeValue('x'.repeat(50), 10)).to.equal(`"${'x'.repeat(9)}… (52 chars)`);
  });
});
