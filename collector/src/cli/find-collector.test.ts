import type { V1Lease, V1Pod } from '@kubernetes/client-node';
import { expect } from 'chai';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chooseCollector, namespaceOf, wantsDiscovery } from './find-collector.js';

function pod(name: string, opts: { ready?: boolean; deleting?: boolean; port?: number } = {}): V1Pod {
  return {
    metadata: { name, ...(opts.deleting === true ? { deletionTimestamp: new Date() } : {}) },
    spec: { containers: [{ name: 'collector', ...(opts.port === undefined ? {} : { ports: [{ name: 'grpc', containerPort: opts.port }] }) }] },
    status: { phase: 'Running', conditions: [{ type: 'Ready', status: opts.ready === false ? 'False' : 'True' }] },
  };
}
const lease = (holder: string): V1Lease => ({ metadata: { name: 'lastgasp-collector' }, spec: { holderIdentity: holder } });

describe('chooseCollector', () => {
  it('the leader (a Lease holder) when it is ready, with its grpc port', () => {
    expect(chooseCollector('ns', [pod('a', { port: 7000 }), pod('b', { port: 7001 })], [lease('b')])).to.deep.equal({ pod: 'b', port: 7001, leader: true });
  });

  it('no leader known, or the leader not ready → the first ready Pod by name (port 6667 when unnamed)', () => {
    expect(chooseCollector('ns', [pod('c'), pod('a', { ready: false }), pod('b')], [])).to.deep.equal({ pod: 'b', port: 6667, leader: false });
    expect(chooseCollector('ns', [pod('a'), pod('b', { ready: false })], [lease('b')])).to.deep.equal({ pod: 'a', port: 6667, leader: false });
  });

  it('a Pod being deleted is not asked', () => {
    expect(chooseCollector('ns', [pod('a', { deleting: true }), pod('b')], [lease('a')])).to.deep.include({ pod: 'b' });
  });

  it('no Pods, or none ready → an error naming the namespace', () => {
    expect(chooseCollector('ns', [], [])).to.have.property('error').that.matches(/no collector Pods .* in namespace ns/);
    expect(chooseCollector('ns', [pod('a', { ready: false })], [])).to.have.property('error').that.matches(/none of the 1 collector Pods in namespace ns is ready/);
  });
});

describe('wantsDiscovery and namespaceOf', () => {
  let home = '';
  before(async () => {
    home = await mkdtemp(join(tmpdir(), 'lastgasp-home-'));
  });
  after(async () => {
    await rm(home, { recursive: true, force: true });
  });

  it('only when a kubeconfig is named, exists, or the command runs in a Pod, or -n/--context ask', async () => {
    expect(wantsDiscovery({}, { HOME: home })).to.equal(false);
    expect(wantsDiscovery({ namespace: 'x' }, { HOME: home })).to.equal(true);
    expect(wantsDiscovery({}, { HOME: home, KUBECONFIG: '/k' })).to.equal(true);
    expect(wantsDiscovery({}, { HOME: home, KUBERNETES_SERVICE_HOST: '10.0.0.1' })).to.equal(true);
    await mkdir(join(home, '.kube'));
    await writeFile(join(home, '.kube', 'config'), '');
    expect(wantsDiscovery({}, { HOME: home })).to.equal(true);
  });

  it("-n wins, else the context's namespace, else default", () => {
    const kc = (ns?: string) => ({ getCurrentContext: () => 'c', getContextObject: () => ({ name: 'c', cluster: 'c', user: 'u', ...(ns === undefined ? {} : { namespace: ns }) }) });
    expect(namespaceOf(kc('ctx-ns'), { namespace: 'flag-ns' })).to.equal('flag-ns');
    expect(namespaceOf(kc('ctx-ns'), {})).to.equal('ctx-ns');
    expect(namespaceOf(kc(), {})).to.equal('default');
  });
});
