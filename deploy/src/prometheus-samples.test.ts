import { expect } from 'chai';
import { metricNames, missingMetrics, parseSamples } from './prometheus-samples.js';

describe('prometheus-samples', () => {
  it('reads names, labels (escapes included) and values; skips comments', () => {
    const text = '# HELP x_total a\n# TYPE x_total counter\nx_total 3\ny{a="1",b="q\\"uote\\\\"} 0.5\nz{le="+Inf"} 7 1700000000\n';
    expect(parseSamples(text)).to.deep.equal([
      { name: 'x_total', labels: {}, value: 3 },
      { name: 'y', labels: { a: '1', b: 'q"uote\\' }, value: 0.5 },
      { name: 'z', labels: { le: '+Inf' }, value: 7 },
    ]);
  });

  it('refuses a line it cannot read', () => {
    expect(() => parseSamples('y{a=1} 2\n')).to.throw(/cannot read the labels/);
  });

  it('finds the metric names of PromQL expressions, not label names or functions', () => {
    const exprs = ['histogram_quantile(0.5, sum by (le) (rate(lastgasp_remediation_duration_seconds_bucket{phase="Remediated"}[5m])))', 'max by (node) (lastgasp_agent_ready) == 0', 'process_resident_memory_bytes'];
    expect(metricNames(exprs)).to.deep.equal(['lastgasp_agent_ready', 'lastgasp_remediation_duration_seconds_bucket', 'process_resident_memory_bytes']);
  });

  it('names what no sample carries', () => {
    expect(missingMetrics(['a_total', 'b'], parseSamples('a_total 1\n'))).to.deep.equal(['b']);
  });
});
