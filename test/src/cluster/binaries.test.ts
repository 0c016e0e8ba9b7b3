import { expect } from 'chai';
import { binaryPaths, parseEnvFile, readVersions } from './binaries.js';

describe('parseEnvFile', () => {
  const cases: { name: string; text: string; want: Record<string, string> }[] = [
    { name: 'plain assignments', text: 'A=1\nB=v2.0\n', want: { A: '1', B: 'v2.0' } },
    { name: 'comments and blank lines', text: '# pinned\n\nK8S_VERSION=v1.36.3 # latest\n', want: { K8S_VERSION: 'v1.36.3' } },
    { name: 'quoted values', text: 'A="x"\nB=\'y\'\n', want: { A: 'x', B: 'y' } },
    { name: 'lines that are not assignments', text: 'export PATH\nlower=1\n', want: {} },
  ];
  for (const { name, text, want } of cases) {
    it(`reads ${name}`, () => expect(parseEnvFile(text)).to.deep.equal(want));
  }
});

describe('readVersions (the shipped versions.env)', () => {
  it('pins every component to a v-prefixed version', () => {
    const v = readVersions();
    for (const value of [v.kubernetes, v.kwok, v.helm, v.grpcurl, v.promtool, v.prometheusOperator]) expect(value).to.match(/^v\d+\.\d+\.\d+$/);
  });
  it('keys cache paths by component and version', () => {
    const paths = binaryPaths({ kubernetes: 'v1.2.3', kwok: 'v0.1.0', helm: 'v3.0.0', grpcurl: 'v1.0.0', promtool: 'v0.316.0', prometheusOperator: 'v0.85.0' }, '/cache');
    expect(paths).to.deep.equal({
      k8s: '/cache/k8s-v1.2.3/k8s',
      kwok: '/cache/kwok-v0.1.0/kwok',
      helm: '/cache/helm-v3.0.0/helm',
      grpcurl: '/cache/grpcurl-v1.0.0/grpcurl',
      promtool: '/cache/promtool-v0.316.0/promtool',
      monitoringCrds: ['servicemonitors', 'podmonitors', 'prometheusrules'].map((k) => `/cache/prometheus-operator-v0.85.0/monitoring.coreos.com_${k}.yaml`),
    });
  });
});
