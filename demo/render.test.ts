import { expect } from 'chai';
import { fields, table, timeline } from './render.js';

describe('demo rendering', () => {
  it('table with a long cell → columns padded to the widest cell', () => {
    expect(table(['NAME', 'PHASE'], [['web-0', 'Running'], ['a-long-name', 'Failed']])).to.equal(
      ['  NAME         PHASE', '  web-0        Running', '  a-long-name  Failed'].join('\n'),
    );
  });

  it('timeline with a missing step → offsets in ms from the origin and a dash', () => {
    expect(timeline(1000, [{ label: 'a', at: 1000 }, { label: 'b', at: 1250, detail: 'x' }, { label: 'c', at: null }])).to.equal(
      ['  +     0 ms  a', '  +   250 ms  b  (x)', '        —     c'].join('\n'),
    );
  });

  it('fields with empty values and a long one → empties dropped, long value cut', () => {
    expect(fields([['a', ''], ['b', 'xxxxx'], ['c', undefined]], 4)).to.equal('    b: xxx…');
  });
});
