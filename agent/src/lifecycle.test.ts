import { expect } from 'chai';
import { decideOnShutdown } from './lifecycle.js';

describe('decideOnShutdown', () => {
  const cases = [
    { name: 'DaemonSet gone (404)', input: 'not-found' as const, want: 'remove-targets' },
    { name: 'DaemonSet with deletionTimestamp', input: { metadata: { name: 'a', deletionTimestamp: new Date() } }, want: 'remove-targets' },
    { name: 'DaemonSet present (rolling update)', input: { metadata: { name: 'a' } }, want: 'keep-targets' },
    { name: 'API unreachable', input: 'unknown' as const, want: 'keep-targets' },
  ];
  for (const c of cases) it(`${c.name} → ${c.want}`, () => expect(decideOnShutdown(c.input).action).to.equal(c.want));
});
