import { expect } from 'chai';
import fc from 'fast-check';
import { createClassifier } from './classifier.js';
import { loadRules, parseRules, type Rules } from './rules.js';

/** First rule whose own pattern matches: the classifier's contract, without the joined prefilter. */
function firstMatch(rules: Rules, text: string): string | null {
  return rules.rules.find((rule) => rule.pattern.test(text))?.name ?? null;
}

const shipped = loadRules();
const withBackreference = parseRules({
  rules: [
    { name: 'doubled-word', reason: 'KernelWarning', pattern: '\\b(\\w+) \\1\\b', fatal: false, cause: false },
    { name: 'panic', reason: 'KernelPanic', pattern: '^Kernel panic', fatal: true, cause: false },
  ],
});

describe('createClassifier', () => {
  const rows: { rules: string; text: string; rule: string | null }[] = [
    { rules: 'shipped', text: 'Kernel panic - not syncing: Fatal exception', rule: 'kernel-panic' },
    { rules: 'shipped', text: 'BUG: soft lockup - CPU#3 stuck for 22s! [kworker/3:1:77]', rule: 'soft-lockup' },
    { rules: 'shipped', text: 'BUG: kernel NULL pointer dereference, address: 0000000000000008', rule: 'kernel-bug' },
    { rules: 'shipped', text: 'Oops: 0000 [#1] PREEMPT SMP NOPTI', rule: 'oops' },
    { rules: 'shipped', text: 'eth0: renamed from tmp4b1c2', rule: null },
    { rules: 'shipped', text: ' Kernel panic - not syncing (not at the start)', rule: null },
    { rules: 'backreference', text: 'the the end', rule: 'doubled-word' },
    { rules: 'backreference', text: 'Kernel panic - not syncing', rule: 'panic' },
    { rules: 'backreference', text: 'the end', rule: null },
  ];
  for (const row of rows) {
    it(`${row.rules} rules, ${JSON.stringify(row.text)} → ${row.rule ?? 'no rule'}`, () => {
      const rules = row.rules === 'shipped' ? shipped : withBackreference;
      expect(createClassifier(rules).match(row.text)?.name ?? null).to.equal(row.rule);
    });
  }

  it('any text → the same rule as trying every shipped rule in order', () => {
    const classifier = createClassifier(shipped);
    const fragments = ['Kernel panic - not syncing', 'BUG: ', 'soft lockup - CPU#1 stuck for', 'Oops', 'INFO: task x blocked for more than 120 seconds',
      'WARNING: CPU: 1 PID: 2 at ', 'Out of memory: Killed process', '[Hardware Error]: ', 'INFO: rcu_sched detected stalls', ' ', '\n'];
    const text = fc.array(fc.oneof(fc.constantFrom(...fragments), fc.string({ maxLength: 8 })), { maxLength: 5 }).map((parts) => parts.join(''));
    fc.assert(
      fc.property(text, (t) => {
        expect(classifier.match(t)?.name ?? null).to.equal(firstMatch(shipped, t));
      }),
      { numRuns: 5000 },
    );
  });
});
