import { expect } from 'chai';
import { decideOnShutdown, startupCheckOf, type OwnDaemonSet, type StartupCheck } from './lifecycle.js';

describe('decideOnShutdown', () => {
  const cases: { name: string; input: OwnDaemonSet; atStart: StartupCheck; want: string }[] = [
    { name: 'DaemonSet gone (404), readable at start', input: 'not-found', atStart: 'readable', want: 'remove-targets' },
    { name: 'DaemonSet gone (404), API unreachable at start', input: 'not-found', atStart: 'unknown', want: 'remove-targets' },
    { name: 'DaemonSet never found (wrong name)', input: 'not-found', atStart: 'not-found', want: 'keep-targets' },
    { name: 'access withdrawn (401/403) after a read at start', input: 'denied', atStart: 'readable', want: 'remove-targets' },
    { name: 'access never granted (401/403)', input: 'denied', atStart: 'denied', want: 'keep-targets' },
    { name: 'refused, API unreachable at start', input: 'denied', atStart: 'unknown', want: 'keep-targets' },
    { name: 'DaemonSet with deletionTimestamp', input: { metadata: { name: 'a', deletionTimestamp: new Date() } }, atStart: 'readable', want: 'remove-targets' },
    { name: 'DaemonSet present (rolling update)', input: { metadata: { name: 'a' } }, atStart: 'readable', want: 'keep-targets' },
    { name: 'API unreachable', input: 'unknown', atStart: 'readable', want: 'keep-targets' },
  ];
  for (const c of cases) it(`${c.name} → ${c.want}`, () => expect(decideOnShutdown(c.input, c.atStart).action).to.equal(c.want));
  it('a read DaemonSet counts as readable at start', () => {
    expect(startupCheckOf({ metadata: { name: 'a' } })).to.equal('readable');
    expect(startupCheckOf('denied')).to.equal('denied');
  });
});
