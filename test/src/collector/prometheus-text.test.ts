import { expect } from 'chai';
import { sumSamples } from './prometheus-text.js';

describe('sumSamples', () => {
  const text = [
    '# HELP lastgasp_x_total x',
    '# TYPE lastgasp_x_total counter',
    'lastgasp_x_total{reason="a"} 3',
    'lastgasp_x_total{reason="b"} 4',
    'lastgasp_x_total_extra 100',
    'lastgasp_y 2.5e3',
    '',
  ].join('\n');
  const cases: [string, number | null][] = [
    ['lastgasp_x_total', 7],
    ['lastgasp_y', 2500],
    ['lastgasp_missing', null],
  ];
  for (const [name, expected] of cases) {
    it(`${name} → ${expected}`, () => expect(sumSamples(text, name)).to.equal(expected));
  }
});
