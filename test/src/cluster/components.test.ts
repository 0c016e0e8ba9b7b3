import { expect } from 'chai';
import { parseAllDocuments } from 'yaml';
import { apiServerArgs, controllerManagerArgs, egressSelectorConfig, etcdArgs, KUBELET_CLIENT, kwokArgs, kwokConfig, schedulerArgs } from './components.js';
import { parse } from 'yaml';
import type { ClusterPki } from './pki.js';

const pki: ClusterPki = {
  ca: { certPath: '/p/ca.crt', keyPath: '/p/ca.key' },
  serving: { certPath: '/p/apiserver.crt', keyPath: '/p/apiserver.key' },
  clients: {},
  serviceAccount: { privateKeyPath: '/p/sa.key', publicKeyPath: '/p/sa.pub' },
};

describe('component command lines', () => {
  it('etcd listens on the two given loopback ports only', () => {
    const args = etcdArgs({ dataDir: '/d/etcd', clientPort: 4001, peerPort: 4002 });
    expect(args[0]).to.equal('etcd');
    const urls = args.filter((a) => a.includes('://'));
    expect(urls.every((a) => /http:\/\/127\.0\.0\.1:(4001|4002)$/.test(a))).to.equal(true);
    expect(args).to.include('--data-dir=/d/etcd');
  });

  it('kube-apiserver: loopback, given ports, Node+RBAC, client CA, service-account keys', () => {
    const args = apiServerArgs({ etcdClientPort: 4001, securePort: 6443, certDir: '/d/c', pki });
    expect(args).to.include.members([
      'kube-apiserver',
      '--etcd-servers=http://127.0.0.1:4001',
      '--bind-address=127.0.0.1',
      '--secure-port=6443',
      '--authorization-mode=Node,RBAC',
      '--client-ca-file=/p/ca.crt',
      '--service-account-key-file=/p/sa.pub',
      '--service-account-signing-key-file=/p/sa.key',
      '--service-cluster-ip-range=10.96.0.0/16',
    ]);
  });

  it('kube-apiserver: no kubelet client or egress unless given; with them, the certificate it shows kubelets and the egress file', () => {
    const plain = apiServerArgs({ etcdClientPort: 4001, securePort: 6443, certDir: '/d/c', pki });
    expect(plain.filter((a) => a.startsWith('--kubelet-client') || a.startsWith('--egress'))).to.deep.equal([]);
    const withNode = apiServerArgs({
      etcdClientPort: 4001,
      securePort: 6443,
      certDir: '/d/c',
      pki: { ...pki, clients: { [KUBELET_CLIENT]: { certPath: '/p/k.crt', keyPath: '/p/k.key' } } },
      egressSelectorConfigPath: '/d/egress.yaml',
    });
    expect(withNode).to.include.members(['--kubelet-client-certificate=/p/k.crt', '--kubelet-client-key=/p/k.key', '--egress-selector-config-file=/d/egress.yaml']);
  });

  it('egress selector: only "cluster" traffic, HTTP CONNECT over the given Unix socket', () => {
    expect(parse(egressSelectorConfig('/tmp/x y/egress.sock'))).to.deep.equal({
      apiVersion: 'apiserver.k8s.io/v1beta1',
      kind: 'EgressSelectorConfiguration',
      egressSelections: [{ name: 'cluster', connection: { proxyProtocol: 'HTTPConnect', transport: { uds: { udsName: '/tmp/x y/egress.sock' } } } }],
    });
  });

  it('kube-controller-manager: extra flags come last, so they win', () => {
    const args = controllerManagerArgs({ kubeconfigPath: '/k', pki, extraArgs: ['--node-monitor-grace-period=5s'] });
    expect(args[0]).to.equal('kube-controller-manager');
    expect(args.at(-1)).to.equal('--node-monitor-grace-period=5s');
    expect(args).to.include.members(['--controllers=*', '--leader-elect=false', '--use-service-account-credentials=true']);
  });

  it('kube-scheduler and kwok serve on no fixed port', () => {
    expect(schedulerArgs('/k')).to.include('--secure-port=0');
    const kwok = kwokArgs({ kubeconfigPath: '/k', configPath: '/c' });
    expect(kwok).to.include('--manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake');
    expect(kwok.some((a) => /^--(server-address|node-port)=.*[1-9]/.test(a))).to.equal(false);
  });
});

describe('kwokConfig', () => {
  const upstream = `---
apiVersion: kwok.x-k8s.io/v1alpha1
kind: Stage
metadata: {name: node-initialize}
spec: {upstream: true}
---
apiVersion: kwok.x-k8s.io/v1alpha1
kind: Stage
metadata: {name: pod-ready}
`;
  const own = 'apiVersion: kwok.x-k8s.io/v1alpha1\nkind: Stage\nmetadata: {name: node-initialize}\nspec: {own: true}\n';

  it('replaces the upstream node-initialize Stage with ours and keeps the others', () => {
    const config = kwokConfig(upstream, own);
    const docs = parseAllDocuments(config).map((d) => d.toJS() as { metadata: { name: string }; spec?: unknown });
    expect(docs.map((d) => d.metadata.name)).to.deep.equal(['pod-ready', 'node-initialize']);
    expect(docs[1]?.spec).to.deep.equal({ own: true });
  });

  it('holds no KwokConfiguration document (kwok then applies its own defaults)', () => {
    expect(kwokConfig(upstream, own)).to.not.include('KwokConfiguration');
  });

  it('extra stages pod-ready → replace the upstream pod-ready, after ours', () => {
    const extra = 'apiVersion: kwok.x-k8s.io/v1alpha1\nkind: Stage\nmetadata: {name: pod-ready}\nspec: {extra: true}\n';
    const docs = parseAllDocuments(kwokConfig(upstream, own, extra)).map((d) => d.toJS() as { metadata: { name: string }; spec?: unknown });
    expect(docs.map((d) => d.metadata.name)).to.deep.equal(['node-initialize', 'pod-ready']);
    expect(docs[1]?.spec).to.deep.equal({ extra: true });
  });
});
