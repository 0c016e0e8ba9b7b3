import { expect } from 'chai';
import { fields, table, timeline } from './render.js';

describe('demo rendering', () => {
  it('table with a long cell → columns padded to the widest cell', () => {
    expect(table(['NAME', 'PHASE'], [['web-0', 'Running'], ['a-long-name', 'Failed']])).to.equal(
      ['  NAME         PHASE', '  web-0        Running', '  a-long-name  Failed'].join('\n'),
    );
  });

  it('timeline out of order with a missing step → time order, offsets in ms from the origin, the missing one last', () => {
    expect(timeline(1000, [{ label: 'c', at: null }, { label: 'b', at: 1250, detail: 'x' }, { label: 'a', at: 990 }])).to.equal(
      ['  +   -10 ms  a', '  +   250 ms  b  (x)', '        —     c'].join('\n'),
    );
  });

  it('fields with empty values and a long one → empties dropped, long value cut', () => {
    expect(fields([['a', ''], ['b', 'xxxxx'], ['c', undefined]], 4)).to.equal('    b: xxx…');
  });
});
