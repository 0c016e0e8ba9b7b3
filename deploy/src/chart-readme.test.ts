import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { chartReadme, valueRows, valuesTable } from './chart-readme.js';

const CHART = fileURLToPath(new URL('../helm/lastgasp/', import.meta.url));

describe('chart README', () => {
  it('is what README.md.tmpl and values.yaml make (run `npx tsx deploy/src/write-chart-readme.ts` after changing either)', () => {
    const want = chartReadme(readFileSync(`${CHART}README.md.tmpl`, 'utf8'), readFileSync(`${CHART}values.yaml`, 'utf8'));
    expect(readFileSync(`${CHART}README.md`, 'utf8') === want, 'deploy/helm/lastgasp/README.md is stale').to.equal(true);
  });

  it('has a row for every `# --` value of the chart', () => {
    const rows = valueRows(readFileSync(`${CHART}values.yaml`, 'utf8'));
    expect(rows.map((r) => r.key)).to.include.members(['agent.resources.requests.memory', 'collector.policy.proofOfDeath.window', 'prometheusRule.enabled', 'grafanaDashboard.labels']);
    expect(rows.find((r) => r.key === 'agent.resources.requests.memory')?.default).to.equal('"72Mi"');
  });
});

describe('valueRows and valuesTable', () => {
  const yaml = [
    '# A file comment, no value.',
    '',
    '# -- Top value,',
    '# continued.',
    'top: 3',
    'section:',
    '  # plain comment: no row',
    '  undocumented: x',
    '  # -- Nested | piped <value>.',
    '  nested:',
    '    - a',
    '  deeper:',
    '    # -- Deepest.',
    '    leaf: null',
    '',
  ].join('\n');

  it('takes `# --` blocks with their continuation lines, the dotted path, type and default', () => {
    expect(valueRows(yaml)).to.deep.equal([
      { key: 'top', type: 'int', default: '3', description: 'Top value, continued.' },
      { key: 'section.nested', type: 'list', default: '["a"]', description: 'Nested | piped <value>.' },
      { key: 'section.deeper.leaf', type: 'string', default: 'null', description: 'Deepest.' },
    ]);
  });

  it('escapes pipes and angle brackets in the table', () => {
    expect(valuesTable(valueRows(yaml))).to.contain('| section.nested | list | `["a"]` | Nested \\| piped &lt;value&gt;. |');
  });

  it('refuses a template without the {{ values }} placeholder', () => {
    expect(() => chartReadme('# no table', yaml)).to.throw(/placeholder/);
  });
});
