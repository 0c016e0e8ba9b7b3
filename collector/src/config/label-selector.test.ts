import { expect } from 'chai';
import { parseLabelSelector } from './label-selector.js';

describe('parseLabelSelector', () => {
  const cp = { 'node-role.kubernetes.io/control-plane': '' };
  const cases: [string, Record<string, string>, boolean][] = [
    ['node-role.kubernetes.io/control-plane', cp, true],
    ['node-role.kubernetes.io/control-plane', { zone: 'a' }, false],
    ['!gpu', { zone: 'a' }, true],
    ['!gpu', { gpu: 'yes' }, false],
    ['zone=a', { zone: 'a' }, true],
    ['zone==a', { zone: 'b' }, false],
    ['zone!=a', {}, true],
    ['zone in (a, b),tier notin (db)', { zone: 'b', tier: 'web' }, true],
    ['zone in (a, b),tier notin (db)', { zone: 'b', tier: 'db' }, false],
    ['', cp, false],
  ];
  for (const [selector, labels, want] of cases) {
    it(`"${selector}" on ${JSON.stringify(labels)} → ${want}`, () => {
      expect(parseLabelSelector(selector).matches(labels)).to.equal(want);
    });
  }
  for (const bad of ['a in (b', 'a=b=c', 'bad key!', 'x,,y']) {
    it(`"${bad}" is refused`, () => expect(() => parseLabelSelector(bad)).to.throw());
  }
});
