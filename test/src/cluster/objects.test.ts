import { expect } from 'chai';
import { nodeManifest, podManifest } from './objects.js';

describe('nodeManifest', () => {
  it('a kwok node (default): annotation for kwok, label type=kwok, the given addresses in status', () => {
    const node = nodeManifest('n1', { addresses: [{ type: 'InternalIP', address: '10.1.0.5' }], labels: { zone: 'a' } });
    expect(node.metadata?.annotations).to.deep.equal({ 'kwok.x-k8s.io/node': 'fake' });
    expect(node.metadata?.labels).to.deep.equal({ 'kubernetes.io/hostname': 'n1', type: 'kwok', zone: 'a' });
    expect(node.status?.addresses).to.deep.equal([{ type: 'InternalIP', address: '10.1.0.5' }]);
  });
  it('kwok=false: neither the annotation nor the label', () => {
    const node = nodeManifest('n2', { kwok: false });
    expect(node.metadata?.annotations).to.deep.equal({});
    expect(node.metadata?.labels).to.deep.equal({ 'kubernetes.io/hostname': 'n2' });
  });
  it('taints go to spec', () => {
    const taints = [{ key: 'k', value: 'v', effect: 'NoSchedule' }];
    expect(nodeManifest('n3', { taints }).spec?.taints).to.deep.equal(taints);
  });
});

describe('podManifest', () => {
  it('binds to the node, mounts no token, lands in default unless told', () => {
    const pod = podManifest({ name: 'p', nodeName: 'n1' });
    expect(pod.metadata?.namespace).to.equal('default');
    expect(pod.spec?.nodeName).to.equal('n1');
    expect(pod.spec?.automountServiceAccountToken).to.equal(false);
    expect(pod.spec?.containers).to.have.length(1);
  });
  it('keeps namespace, labels and owner references', () => {
    const ownerReferences = [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: 'u-1' }];
    const pod = podManifest({ name: 'p', nodeName: 'n', namespace: 'ns', labels: { app: 'x' }, ownerReferences });
    expect(pod.metadata).to.deep.include({ namespace: 'ns', labels: { app: 'x' }, ownerReferences });
  });
});
