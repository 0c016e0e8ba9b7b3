import { expect } from 'chai';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REASON_CODES } from '../types.js';
import { createClassifier } from './classifier.js';
import { loadRules, parseRules, RulesError } from './rules.js';

const good = { reason: 'KernelPanic', pattern: '^Kernel panic', fatal: true, cause: false };

describe('loadRules', () => {
  it('the shipped kernel-rules.json loads, covers every reason code, and has exactly one fatal rule', () => {
    const rules = loadRules();
    expect(new Set(rules.rules.map((r) => r.reason))).to.deep.equal(new Set(REASON_CODES));
    expect(rules.rules.filter((r) => r.fatal).map((r) => r.reason)).to.deep.equal(['KernelPanic']);
  });

  it('the shipped rules do not match the panic end trailer as a panic', () => {
    const classifier = createClassifier(loadRules());
    const trailer = '---[ end Kernel panic - not syncing: Fatal exception ]---';
    expect(classifier.match(trailer)).to.equal(null);
    expect(classifier.isEndOfPanic(trailer)).to.equal(true);
  });

  const bad: { name: string; data: unknown; message: RegExp; field: string }[] = [
    { name: 'not an object', data: [], message: /must be an object/, field: 'rules' },
    { name: 'empty rules', data: { rules: [] }, message: /non-empty array/, field: 'rules' },
    { name: 'unknown top-level field', data: { rules: [{ name: 'a', ...good }], extra: 1 }, message: /unknown field "extra"/, field: 'extra' },
    { name: 'rule without name', data: { rules: [good] }, message: /rule #0: field "name"/, field: 'name' },
    { name: 'unknown reason', data: { rules: [{ name: 'a', ...good, reason: 'Panic' }] }, message: /rule #0 "a": field "reason"/, field: 'reason' },
    { name: 'bad regex', data: { rules: [{ name: 'a', ...good }, { name: 'b', ...good, pattern: '(' }] }, message: /rule #1 "b": field "pattern": invalid regular expression/, field: 'pattern' },
    { name: 'fatal not boolean', data: { rules: [{ name: 'a', ...good, fatal: 'yes' }] }, message: /rule #0 "a": field "fatal"/, field: 'fatal' },
    { name: 'cause missing', data: { rules: [{ name: 'a', reason: 'KernelPanic', pattern: 'x', fatal: true }] }, message: /field "cause"/, field: 'cause' },
    { name: 'typo in a field name', data: { rules: [{ name: 'a', ...good, fatl: true }] }, message: /rule #0 "a": unknown field "fatl"/, field: 'fatl' },
    { name: 'duplicate names', data: { rules: [{ name: 'a', ...good }, { name: 'a', ...good }] }, message: /rule #1 "a": field "name": duplicate/, field: 'name' },
    { name: 'no fatal rule', data: { rules: [{ name: 'a', ...good, fatal: false }] }, message: /no rule has "fatal": true/, field: 'fatal' },
    { name: 'bad endOfPanic', data: { rules: [{ name: 'a', ...good }], endOfPanic: '[' }, message: /field "endOfPanic"/, field: 'endOfPanic' },
  ];
  for (const row of bad) {
    it(`refuses ${row.name}, naming field "${row.field}"`, () => {
      let error: unknown;
      try {
        parseRules(row.data, 'test.json');
      } catch (err) {
        error = err;
      }
      expect(error).to.be.instanceOf(RulesError);
      expect((error as RulesError).message).to.match(row.message);
      expect((error as RulesError).field).to.equal(row.field);
    });
  }

  it('a file that is not JSON → RulesError naming the path', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lastgasp-rules-'));
    try {
      const path = join(dir, 'rules.json');
      writeFileSync(path, '{ nope');
      expect(() => loadRules(path)).to.throw(RulesError, /rules\.json: not JSON/);
      expect(() => loadRules(join(dir, 'missing.json'))).to.throw(RulesError, /missing\.json/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
