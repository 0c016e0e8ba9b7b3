// A real node: the QEMU guest runs containerd and the kubelet of the pinned Kubernetes build and joins
// the test control plane as a real Node (not kwok) with its guest address as InternalIP; pods run there
// with the CNI bridge. One guest serves every scenario of this file.
import { readFileSync } from 'node:fs';
import { CoreV1Api, type V1Pod } from '@kubernetes/client-node';
import { ensureNamespace, KWOK_NODE_ANNOTATION, nodeBinaries, readVersions } from '@lastgasp/testbed/cluster';
import { consoleOnFailure } from '@lastgasp/testbed/kernel';
import { waitFor } from '@lastgasp/testbed/testing';
import { expect } from 'chai';
import { figure, progress } from './figures.js';
import { ensureNodeImages } from './node-images.js';
import { POD_SUBNET, startRealNode, waitNodeReady, type RealNode } from './real-node.js';
import { BRIDGE_PORT, bringUpWorld, GUEST_ADDRESS, HOST_ADDRESSES, type World } from './world.js';

const NODE = 'real-node-1';
const APP_NS = 'shop';
const CONTAINERD_VERSION = /CONTAINERD_VERSION=(\S+)/;

describe('a real node: containerd and the kubelet in the QEMU guest, joined to the control plane', function () {
  this.timeout(900_000);
  let world: World | null = null;
  let node: RealNode | null = null;
  const w = (): World => {
    if (world === null) throw new Error('the world was not brought up');
    return world;
  };
  consoleOnFailure(() => world?.vm.console() ?? null);
  afterEach(function () {
    if (this.currentTest?.state === 'failed') console.error(`--- real node ---\n${node?.logs() ?? ''}\n${world?.diagnostics() ?? ''}`);
  });

  before(async function () {
    this.timeout(1_800_000);
    const [binaries, images] = await Promise.all([nodeBinaries(progress), ensureNodeImages(progress)]);
    world = await bringUpWorld({ nodeName: NODE, log: progress, cpus: 2, memoryMiB: 2048, scheduler: true, realNode: true });
    const kubeconfig = await world.cluster.nodeKubeconfig(NODE, `https://${HOST_ADDRESSES[0]}:${BRIDGE_PORT}`);
    const started = Date.now();
    node = await startRealNode(world.vm, {
      nodeName: NODE,
      nodeIp: GUEST_ADDRESS,
      kubeconfig,
      binaries,
      pause: images.pause,
      images: [images.busybox],
      log: progress,
    });
    const current = node;
    await waitNodeReady(world.cluster, NODE, 600_000, () => current.logs());
    const readyAt = Date.now();
    figure(
      'boot-to-kubelet-ready',
      readyAt - world.bootStartedAt,
      `guest boot start → Node Ready from its own kubelet; guest boot ${world.vm.bootMs} ms (${world.vm.accel}), ` +
        `node preparation (modules, cgroup2, containerd, image import) ${current.prepareMs} ms, kubelet start → Ready ${readyAt - started - current.prepareMs} ms`,
    );
  });

  after(async function () {
    this.timeout(180_000);
    await node?.stop().catch(() => undefined);
    await world?.stop();
  });

  it('is a real Node: its kubelet and containerd versions, the guest address as InternalIP, no kwok annotation', async () => {
    const n = await w().cluster.kubeConfig.makeApiClient(CoreV1Api).readNode({ name: NODE });
    expect(n.metadata?.annotations ?? {}).to.not.have.property(KWOK_NODE_ANNOTATION);
    expect(n.status?.addresses).to.deep.include({ type: 'InternalIP', address: GUEST_ADDRESS });
    expect(n.status?.nodeInfo?.kubeletVersion).to.equal(readVersions().kubernetes);
    const containerd = CONTAINERD_VERSION.exec(readFileSync(new URL('../../cluster/versions.env', import.meta.url), 'utf8'))?.[1];
    expect(n.status?.nodeInfo?.containerRuntimeVersion).to.equal(`containerd://${(containerd ?? '?').replace(/^v/, '')}`);
    expect(n.status?.nodeInfo?.kernelVersion).to.match(new RegExp(`^${w().vm.kernel.version.replace(/\./g, '\\.')}-`));
  });

  it('runs a pod from the imported busybox image on the CNI bridge', async () => {
    const cluster = w().cluster;
    await ensureNamespace(cluster, APP_NS);
    const core = cluster.kubeConfig.makeApiClient(CoreV1Api);
    await core.createNamespacedPod({
      namespace: APP_NS,
      body: {
        metadata: { name: 'hello' },
        spec: {
          nodeSelector: { 'kubernetes.io/hostname': NODE },
          terminationGracePeriodSeconds: 1,
          containers: [{ name: 'main', image: 'localhost/lastgasp-test/busybox:1', imagePullPolicy: 'Never', args: ['echo started; exec sleep 3600'] }],
        },
      },
    });
    const started = Date.now();
    const pod: V1Pod = await waitFor('pod hello Running on the real node', async () => {
      const p = await core.readNamespacedPod({ name: 'hello', namespace: APP_NS });
      return p.status?.phase === 'Running' ? p : false;
    }, { timeoutMs: 300_000, intervalMs: 500, describe: async () => JSON.stringify((await core.readNamespacedPod({ name: 'hello', namespace: APP_NS })).status) });
    progress(`pod hello Running ${Date.now() - started} ms after creation, IP ${pod.status?.podIP ?? '?'}`);
    expect(pod.spec?.nodeName).to.equal(NODE);
    expect(pod.status?.podIP).to.match(/^10\.88\.0\.\d+$/, `in ${POD_SUBNET}`);
    const ping = await w().vm.run(`busybox ping -c 1 -W 5 ${pod.status?.podIP ?? ''}`, { timeoutMs: 30_000 });
    expect(ping.code, ping.stdout + ping.stderr).to.equal(0);
  });
});
