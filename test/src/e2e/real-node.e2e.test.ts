// A real node, installed the way users install lastgasp: the QEMU guest runs containerd and the kubelet
// of the pinned Kubernetes build and joins the test control plane as a real Node (not kwok) with its
// guest address as InternalIP; the chart comes from the test's OCI registry (oci://), the images by
// digest; the agent runs as a real pod and arms netconsole in the guest kernel; two collectors run
// host-side in the namespace from the released collector image (podman; the canary and the last gasp
// reach both) and one collector pod runs on the real node, which the CLI finds through the kubeconfig
// and reaches by port-forward (the apiserver reaches the kubelet through node-egress.ts).
// Then the lifecycle on the real node: an upgrade to another agent image and to capabilities mode never
// leaves the kernel without an enabled target, a SIGKILLed agent adopts its targets, and `helm
// uninstall` leaves no target behind. One guest serves every scenario of this file.
import { readFileSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AppsV1Api, BatchV1Api, CoreV1Api, type V1Pod } from '@kubernetes/client-node';
import { createNode, KWOK_NODE_ANNOTATION, nodeBinaries, readVersions } from '@lastgasp/testbed/cluster';
import { consoleOnFailure } from '@lastgasp/testbed/kernel';
import { waitFor } from '@lastgasp/testbed/testing';
import { expect } from 'chai';
import type { CollectorProcess } from '../collector/index.js';
import { replicaContainer } from './collector-replica.js';
import { isDisrupted, startClusterTimeline, type TimelineEvent } from './cluster-timeline.js';
import { figure, progress } from './figures.js';
import { containerImage } from './netns-container.js';
import { nodeFromSource, runNodeOnHost } from './netns-process.js';
import { CLI_MAIN } from './paths.js';
import { readGuestTargets, startTargetSampler, type TargetSample } from './guest-agent.js';
import { POD_SUBNET, startRealNode, waitNodeReady, type RealNode } from './real-node.js';
import { GUEST_REGISTRY_PORT, startReleaseBed, type ImageRef, type ReleaseBed } from './release-bed.js';
import { cliJson, hostsOf, listNodeIncidents } from './scenario-reads.js';
import { ANNOTATION_PREFIX, BRIDGE_PORT, bringUpWorld, GUEST_ADDRESS, HOST_ADDRESSES, NAMESPACE, type World } from './world.js';

const NODE = 'real-node-1';
const APP_NS = 'shop';
const RELEASE = 'lastgasp';
const AGENT_DS = 'lastgasp-agent';
/** Where the host-side collectors (the collector image, under podman in the namespace) listen. */
const HOST_COLLECTORS = [HOST_ADDRESSES[0], HOST_ADDRESSES[1]];
const CONTAINERD_VERSION = /CONTAINERD_VERSION=(\S+)/;
/** The probe's connect timeout sized for TCG (the guest's kernel answers a SYN in ~200 ms there). */
const COLLECTOR_CONFIG = { policy: { mode: 'immediate', proofOfDeath: { attemptTimeout: '600ms' } } };
/** This bed has no kube-proxy: in-cluster clients reach the apiserver through the namespace's forwarder. */
const API_ENV = [
  { name: 'KUBERNETES_SERVICE_HOST', value: HOST_ADDRESSES[0] },
  { name: 'KUBERNETES_SERVICE_PORT', value: String(BRIDGE_PORT) },
];

function values(bed: ReleaseBed, agent: ImageRef, securityMode: 'privileged' | 'capabilities'): string[] {
  const json = {
    image: { pullPolicy: 'IfNotPresent' },
    agent: { image: agent, securityMode, extraEnv: API_ENV, canaryInterval: '6h' },
    collector: { image: bed.collector, replicas: 1, extraEnv: API_ENV, nodeSelector: { 'kubernetes.io/hostname': NODE } },
  };
  return ['--set-json', `agent=${JSON.stringify(json.agent)}`, '--set-json', `collector.image=${JSON.stringify(json.collector.image)}`,
    '--set', 'collector.replicas=1', '--set-json', `collector.extraEnv=${JSON.stringify(API_ENV)}`,
    '--set-json', `collector.nodeSelector=${JSON.stringify(json.collector.nodeSelector)}`, '--set', 'image.pullPolicy=IfNotPresent'];
}

/** The longest stretch (ms, guest clock) the sampled configfs had no enabled target, from the first sample on. */
function longestGap(changes: readonly TargetSample[]): number {
  let worst = 0;
  for (let i = 0; i < changes.length; i++) {
    const c = changes[i];
    if (c === undefined || c.enabled.length > 0) continue;
    const next = changes[i + 1];
    worst = Math.max(worst, (next?.t ?? Date.now()) - c.t);
  }
  return worst;
}

describe('a real node: containerd and the kubelet in the QEMU guest, lastgasp installed with helm from oci://', function () {
  this.timeout(1_200_000);
  let world: World | null = null;
  let node: RealNode | null = null;
  let bed: ReleaseBed | null = null;
  let hostCollectors: CollectorProcess[] = [];
  /** The collector image as the host's podman knows it: pulled by digest from the registry. */
  let collectorImage = '';
  const w = (): World => {
    if (world === null) throw new Error('the world was not brought up');
    return world;
  };
  const b = (): ReleaseBed => {
    if (bed === null) throw new Error('no release bed');
    return bed;
  };
  consoleOnFailure(() => world?.vm.console() ?? null);
  afterEach(function () {
    if (this.currentTest?.state === 'failed') console.error(`--- real node ---\n${node?.logs() ?? ''}\n${world?.diagnostics() ?? ''}`);
  });
  const core = () => w().cluster.kubeConfig.makeApiClient(CoreV1Api);
  /** Two collectors from the released image, one on each of HOST_COLLECTORS, in the EndpointSlice. */
  const startImageCollectors = async (round: string): Promise<void> => {
    for (const c of hostCollectors) await c.stop();
    hostCollectors = [];
    for (const [i, address] of HOST_COLLECTORS.entries()) {
      const identity = `image-${round}-${i + 1}`;
      hostCollectors.push(await w().startCollector(address, identity, { image: collectorImage }));
      // The released image, by digest, built from this commit.
      expect(containerImage(replicaContainer(identity))).to.match(new RegExp(`/lastgasp/lastgasp-collector@${b().collector.digest}$`));
    }
    for (const c of hostCollectors) expect(c.log().find((e) => e.msg === 'lastgasp-collector starting'), c.logTail()).to.include({ revision: b().revision });
    await w().setSliceAddresses(HOST_COLLECTORS);
  };
  const apps = () => w().cluster.kubeConfig.makeApiClient(AppsV1Api);

  const agentPod = async (): Promise<V1Pod | undefined> =>
    (await core().listNamespacedPod({ namespace: NAMESPACE, labelSelector: 'app.kubernetes.io/component=agent' })).items.find((p) => p.metadata?.deletionTimestamp === undefined);
  const describePods = async () =>
    JSON.stringify((await core().listNamespacedPod({ namespace: NAMESPACE })).items.map((p) => ({ n: p.metadata?.name, node: p.spec?.nodeName, phase: p.status?.phase, cs: p.status?.containerStatuses?.map((c) => ({ ready: c.ready, restarts: c.restartCount, state: c.state, image: c.imageID })) })));
  /** Waits until the agent DaemonSet's pod on the node runs `digest`, ready. */
  const waitAgentRollout = (digest: string) =>
    waitFor(`agent pod on ${NODE} ready with ${digest.slice(0, 19)}…`, async () => {
      const pod = await agentPod();
      const status = pod?.status?.containerStatuses?.[0];
      return pod?.spec?.containers[0]?.image?.endsWith(digest) === true && status?.ready === true ? pod : false;
    }, { timeoutMs: 600_000, intervalMs: 1000, describe: describePods });

  before(async function () {
    this.timeout(2_400_000);
    const binaries = await nodeBinaries(progress);
    world = await bringUpWorld({ nodeName: NODE, log: progress, cpus: 2, memoryMiB: 3072, scheduler: true, realNode: true, chartInstalled: true, collectorConfig: COLLECTOR_CONFIG });
    const guestRegistry = `${HOST_ADDRESSES[0]}:${GUEST_REGISTRY_PORT}`;
    const kubeconfig = await world.cluster.nodeKubeconfig(NODE, `https://${HOST_ADDRESSES[0]}:${BRIDGE_PORT}`);
    const started = Date.now();
    node = await startRealNode(world.vm, {
      nodeName: NODE,
      nodeIp: GUEST_ADDRESS,
      kubeconfig,
      binaries,
      registry: guestRegistry,
      sandboxImage: `${guestRegistry}/lastgasp-test/pause:e2e`,
      log: progress,
    });
    const current = node;
    // The release is built and published while the node boots its kubelet.
    const release = startReleaseBed(world, progress);
    release.catch(() => undefined);
    await waitNodeReady(world.cluster, NODE, 600_000, () => current.logs());
    const readyAt = Date.now();
    figure(
      'boot-to-kubelet-ready',
      readyAt - world.bootStartedAt,
      `guest boot start → Node Ready from its own kubelet; guest boot ${world.vm.bootMs} ms (${world.vm.accel}), ` +
        `node preparation (modules, cgroup2, tmpfs, containerd up) ${current.prepareMs} ms, kubelet start → Ready ${readyAt - started - current.prepareMs} ms`,
    );
    bed = await release;
    collectorImage = await bed.pullToHost(bed.collector);
  });

  after(async function () {
    this.timeout(180_000);
    await node?.stop().catch(() => undefined);
    await bed?.stop().catch(() => undefined);
    await world?.stop();
  });

  it('is a real Node: its kubelet and containerd versions, the guest address as InternalIP, no kwok annotation', async () => {
    const n = await core().readNode({ name: NODE });
    expect(n.metadata?.annotations ?? {}).to.not.have.property(KWOK_NODE_ANNOTATION);
    expect(n.status?.addresses).to.deep.include({ type: 'InternalIP', address: GUEST_ADDRESS });
    expect(n.status?.nodeInfo?.kubeletVersion).to.equal(readVersions().kubernetes);
    const containerd = CONTAINERD_VERSION.exec(readFileSync(new URL('../../cluster/versions.env', import.meta.url), 'utf8'))?.[1] ?? '?';
    expect(n.status?.nodeInfo?.containerRuntimeVersion).to.equal(`containerd://${containerd.replace(/^v/, '')}`);
    expect(n.status?.nodeInfo?.kernelVersion).to.match(new RegExp(`^${w().vm.kernel.version.replace(/\./g, '\\.')}-`));
  });

  it('runs a pod pulled by digest from the registry on the CNI bridge', async () => {
    await core().createNamespace({ body: { metadata: { name: APP_NS } } });
    await core().createNamespacedPod({
      namespace: APP_NS,
      body: {
        metadata: { name: 'hello' },
        spec: {
          nodeSelector: { 'kubernetes.io/hostname': NODE },
          terminationGracePeriodSeconds: 1,
          containers: [{ name: 'main', image: b().busybox, args: ['exec sleep 3600'] }],
        },
      },
    });
    const started = Date.now();
    const pod: V1Pod = await waitFor('pod hello Running on the real node', async () => {
      const p = await core().readNamespacedPod({ name: 'hello', namespace: APP_NS });
      return p.status?.phase === 'Running' ? p : false;
    }, { timeoutMs: 300_000, intervalMs: 500, describe: async () => JSON.stringify((await core().readNamespacedPod({ name: 'hello', namespace: APP_NS })).status) });
    progress(`pod hello Running ${Date.now() - started} ms after creation, IP ${pod.status?.podIP ?? '?'}`);
    expect(pod.status?.podIP).to.match(/^10\.88\.0\.\d+$/, `in ${POD_SUBNET}`);
    expect(pod.status?.containerStatuses?.[0]?.imageID).to.contain(b().busybox.split('@')[1] ?? 'no digest');
    const ping = await w().vm.run(`busybox ping -c 1 -W 5 ${pod.status?.podIP ?? ''}`, { timeoutMs: 30_000 });
    expect(ping.code, ping.stdout + ping.stderr).to.equal(0);
  });

  it('helm install from oci:// (privileged mode, images by digest) --wait: the agent pod arms netconsole, LastGaspReady True, the canary reaches the collector', async () => {
    const t0 = Date.now();
    const out = await b().helm(['install', RELEASE, b().chart, '--version', b().chartVersion, '--plain-http', '--namespace', NAMESPACE, '--wait', '--timeout', '15m', ...values(b(), b().agent, 'privileged')]);
    const installed = Date.now();
    progress(`helm install --wait returned after ${installed - t0} ms`);
    expect(out).to.contain('STATUS: deployed');
    // helm --wait counts a DaemonSet with maxUnavailable 1 on one node as ready at once: wait for the pod.
    const pod = await waitAgentRollout(b().agent.digest);
    expect(pod?.spec?.nodeName).to.equal(NODE);
    expect(pod?.spec?.containers[0]?.image).to.equal(`${b().agent.repository}@${b().agent.digest}`);
    expect(pod?.status?.containerStatuses?.[0]?.imageID).to.contain(b().agent.digest);
    // Two host-side collectors from the collector image (podman in the namespace), announced by a hand-written EndpointSlice.
    await startImageCollectors('install');
    const condition = await w().waitArmed(HOST_COLLECTORS, 300_000);
    figure('install-to-armed', Date.now() - t0, `helm install → LastGaspReady True naming ${HOST_COLLECTORS.join(', ')}: ${condition.message ?? ''}`);
    figure('boot-to-armed', Date.now() - w().bootStartedAt, 'guest boot start → agent pod armed (includes building and pushing the images and chart)');
    const targets = await readGuestTargets(w().vm);
    expect(targets.filter((t) => t.enabled).map((t) => t.remoteIp)).to.include.members([...HOST_COLLECTORS]);
    for (const c of hostCollectors) {
      const host = await waitFor(`\`lastgasp hosts\` on ${c.name} to show the guest with its canary`, async () => {
        const h = hostsOf(await cliJson(w(), c, ['hosts'])).find((x) => x.address === GUEST_ADDRESS);
        return h?.lastCanaryNode === NODE ? h : false;
      }, { timeoutMs: 120_000, intervalMs: 1000 });
      expect(host.node).to.equal(NODE);
    }
    const collectorPods = (await core().listNamespacedPod({ namespace: NAMESPACE, labelSelector: 'app.kubernetes.io/component=collector' })).items;
    expect(collectorPods.map((p) => [p.spec?.nodeName, p.status?.phase])).to.deep.equal([[NODE, 'Running']]);
  });

  it('lastgasp without --server finds the collector Pod on the real node through the kubeconfig and port-forwards to it (apiserver → kubelet → containerd), mutual TLS with the chart\'s client certificate', async () => {
    // The CLI asks only a Ready collector Pod.
    const pod = await waitFor('the collector Pod on the real node Ready', async () => {
      const [p] = (await core().listNamespacedPod({ namespace: NAMESPACE, labelSelector: 'app.kubernetes.io/component=collector' })).items;
      return p?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true ? p : false;
    }, { timeoutMs: 300_000, intervalMs: 1000, describe: describePods });
    const podName = pod.metadata?.name ?? '';
    expect(pod.spec?.nodeName).to.equal(NODE);
    expect(pod.spec?.hostNetwork).to.equal(true);
    // As a user would: the client certificate out of the chart's Secret, the admin kubeconfig, no --server.
    const secret = await core().readNamespacedSecret({ name: `${RELEASE}-collector-client-tls`, namespace: NAMESPACE });
    const home = await mkdtemp(join(w().dir, 'cli-home-'));
    const files: Record<string, string> = {};
    for (const key of ['ca.crt', 'tls.crt', 'tls.key']) {
      const data = secret.data?.[key];
      expect(data, `Secret key ${key}`).to.be.a('string');
      files[key] = join(home, key);
      await writeFile(files[key], Buffer.from(data ?? '', 'base64'), { mode: 0o600 });
    }
    const env = { PATH: process.env['PATH'] ?? '', HOME: home, KUBECONFIG: w().cluster.kubeconfigPath };
    const tls = ['--ca', files['ca.crt'] ?? '', '--cert', files['tls.crt'] ?? '', '--key', files['tls.key'] ?? ''];
    const cli = (args: string[]) => runNodeOnHost([...nodeFromSource(CLI_MAIN), '-n', NAMESPACE, ...args], env, 120_000);
    const t0 = Date.now();
    const status = await cli(['status', '-o', 'json', ...tls]);
    progress(`lastgasp status through the port-forward: exit ${String(status.code)} after ${Date.now() - t0} ms ${status.stderr}`);
    expect(status.code, `${status.stderr}\n${w().diagnostics()}`).to.equal(0);
    expect((JSON.parse(status.stdout) as { identity?: string }).identity, 'the Pod answered, not a host-side collector').to.equal(podName);
    expect(status.stderr, 'nothing but the answer').to.equal('');
    const table = await cli(['hosts', ...tls]);
    expect(table.code, table.stderr).to.equal(0);
    expect(table.stdout).to.match(/^(ADDRESS\s|No hosts heard from yet\.)/m);
    // The forward reaches the Pod; without a client certificate the collector refuses the call, and the
    // error names the Pod the CLI chose.
    const refused = await cli(['status', '--ca', files['ca.crt'] ?? '', '--timeout', '15s']);
    expect(refused.code, refused.stdout).to.equal(2);
    expect(refused.stderr).to.contain(`pod ${NAMESPACE}/${podName}`);
  });

  it('helm upgrade to another agent image: the kernel never has zero enabled targets during the rollout', async () => {
    const variant = await b().pushAgentVariant('upgrade');
    const sampler = startTargetSampler(w().vm);
    try {
      await waitFor('the sampler running', () => Promise.resolve(sampler.samples() > 0), { timeoutMs: 60_000 });
      await b().helm(['upgrade', RELEASE, b().chart, '--version', b().chartVersion, '--plain-http', '--namespace', NAMESPACE, '--wait', '--timeout', '15m', ...values(b(), variant, 'privileged')]);
      await waitAgentRollout(variant.digest);
      await w().waitArmed([...HOST_COLLECTORS], 300_000);
      await new Promise((r) => setTimeout(r, 2000));
    } finally {
      await sampler.stop();
    }
    const changes = sampler.changes();
    progress(`configfs samples: ${sampler.samples()} (every ~${Math.round(sampler.meanIntervalMs() ?? 0)} ms), enabled-set changes: ${JSON.stringify(changes.map((c) => c.enabled))}`);
    expect(sampler.samples()).to.be.greaterThan(10);
    expect(changes.filter((c) => c.enabled.length === 0), JSON.stringify(changes)).to.deep.equal([]);
    expect(longestGap(changes)).to.equal(0);
  });

  it('helm upgrade to capabilities mode: the unprivileged agent keeps the targets, LastGaspReady True, no canary written', async () => {
    const sampler = startTargetSampler(w().vm);
    const variant = await b().pushAgentVariant('capabilities');
    try {
      await waitFor('the sampler running', () => Promise.resolve(sampler.samples() > 0), { timeoutMs: 60_000 });
      await b().helm(['upgrade', RELEASE, b().chart, '--version', b().chartVersion, '--plain-http', '--namespace', NAMESPACE, '--wait', '--timeout', '15m', ...values(b(), variant, 'capabilities')]);
      const pod = await waitAgentRollout(variant.digest);
      expect(pod.spec?.containers[0]?.securityContext).to.deep.include({ privileged: false, readOnlyRootFilesystem: true });
      expect(pod.spec?.containers[0]?.args).to.include('--canary-interval=0');
      await w().waitArmed([...HOST_COLLECTORS], 300_000);
    } finally {
      await sampler.stop();
    }
    expect(sampler.changes().filter((c) => c.enabled.length === 0), JSON.stringify(sampler.changes())).to.deep.equal([]);
    const metrics = await w().vm.run('busybox wget -qO- http://127.0.0.1:6669/metrics', { timeoutMs: 30_000 });
    expect(metrics.stdout).to.not.match(/^lastgasp_agent_canaries_total\{[^}]*\} [1-9]/m);
  });

  it('SIGKILL of the agent container: the restarted agent adopts the targets (none created, none removed, never zero enabled)', async () => {
    const before = (await readGuestTargets(w().vm)).map((t) => t.name).sort();
    const pod = await agentPod();
    const containerId = pod?.status?.containerStatuses?.[0]?.containerID?.replace(/^containerd:\/\//, '') ?? '';
    const restarts = pod?.status?.containerStatuses?.[0]?.restartCount ?? 0;
    expect(containerId).to.not.equal('');
    const tasks = await node?.ctr('tasks ls') ?? '';
    const pid = new RegExp(`^${containerId}\\s+(\\d+)`, 'm').exec(tasks)?.[1];
    expect(pid, tasks).to.match(/^\d+$/);
    const sampler = startTargetSampler(w().vm);
    try {
      await waitFor('the sampler running', () => Promise.resolve(sampler.samples() > 0), { timeoutMs: 60_000 });
      const killed = await w().vm.run(`kill -9 ${pid ?? ''}`, { timeoutMs: 30_000 });
      expect(killed.code, killed.stderr).to.equal(0);
      await waitFor('the agent container restarted and ready', async () => {
        const p = await agentPod();
        const s = p?.status?.containerStatuses?.[0];
        return (s?.restartCount ?? 0) > restarts && s?.ready === true ? p : false;
      }, { timeoutMs: 300_000, intervalMs: 1000, describe: describePods });
      await w().waitArmed([...HOST_COLLECTORS], 300_000);
    } finally {
      await sampler.stop();
    }
    expect(sampler.changes().filter((c) => c.enabled.length === 0), JSON.stringify(sampler.changes())).to.deep.equal([]);
    expect((await readGuestTargets(w().vm)).map((t) => t.name).sort()).to.deep.equal(before);
    const metrics = (await w().vm.run('busybox wget -qO- http://127.0.0.1:6669/metrics', { timeoutMs: 30_000 })).stdout;
    expect(metrics).to.not.match(/^lastgasp_agent_target_actions_total\{[^}]*action="(create|remove)"[^}]*\} [1-9]/m);
  });

  it('helm uninstall: no lastgasp target is left in the guest\'s configfs', async () => {
    expect((await readGuestTargets(w().vm)).length).to.be.greaterThan(0);
    // The agent's own words on SIGTERM, from its container log in the guest (the pod's log goes with it).
    const pod = await agentPod();
    const logs: string[] = [];
    const tail = w().vm.spawn(`exec tail -n 0 -F /var/log/pods/${NAMESPACE}_${pod?.metadata?.name ?? ''}_*/agent/*.log`, { onLine: (l) => logs.push(l) });
    try {
      await new Promise((r) => setTimeout(r, 1000));
      await b().helm(['uninstall', RELEASE, '--namespace', NAMESPACE, '--wait', '--timeout', '10m']);
      // Gone from the API, not just terminating: the agent decides and removes its targets on SIGTERM.
      const anyAgentPod = async () => (await core().listNamespacedPod({ namespace: NAMESPACE, labelSelector: 'app.kubernetes.io/component=agent' })).items.length;
      await waitFor('the agent pod gone', async () => ((await anyAgentPod()) === 0 ? true : false), { timeoutMs: 300_000, intervalMs: 1000, describe: describePods });
    } finally {
      tail.kill('SIGKILL');
    }
    progress(`kubelet on the agent pod: ${(node?.logs() ?? '').split('\n').filter((l) => l.includes(pod?.metadata?.name ?? '-') && /Kill|kill|DELETE|grace|Stopp/.test(l)).map((l) => l.slice(0, 300)).join('\n')}`);
    const shutdown = logs.filter((l) => /stopping|netconsole targets|shutdown/.test(l));
    progress(`agent on SIGTERM: ${shutdown.map((l) => l.slice(l.indexOf('{'))).join(' | ')}`);
    const left = await readGuestTargets(w().vm);
    expect(left.filter((t) => t.name.startsWith('lastgasp')), `${JSON.stringify(left)}\n${logs.slice(-20).join('\n')}`).to.deep.equal([]);
    expect(shutdown.join('\n')).to.match(/netconsole targets removed/);
    await apps().readNamespacedDaemonSet({ name: AGENT_DS, namespace: NAMESPACE }).then(
      () => expect.fail('the DaemonSet is still there'),
      () => undefined,
    );
  });

  it('a real panic with real pods: a Deployment\'s and a Job\'s pods on the real node explained, failed, deleted; the Node deleted; the Job\'s replacement runs on a kwok node', async () => {
    const cluster = w().cluster;
    // Installed again (the uninstall above removed it); the chart's collector pod is kept off the real node
    // so that the host-side collector, which survives the panic, is the only one and leads.
    await b().helm(['install', RELEASE, b().chart, '--version', b().chartVersion, '--plain-http', '--namespace', NAMESPACE, '--timeout', '15m',
      ...values(b(), b().agent, 'privileged'), '--set-json', 'collector.nodeSelector={"lastgasp.dev/no-such-node":"true"}']);
    // The uninstall took the collectors' ServiceAccount and with it their tokens: new replicas, new tokens.
    await startImageCollectors('panic');
    await waitAgentRollout(b().agent.digest);
    await w().waitArmed(HOST_COLLECTORS, 300_000);
    const labels = { app: 'web' };
    await apps().createNamespacedDeployment({
      namespace: APP_NS,
      body: {
        metadata: { name: 'web' },
        spec: {
          replicas: 1,
          selector: { matchLabels: labels },
          template: { metadata: { labels }, spec: { terminationGracePeriodSeconds: 1, containers: [{ name: 'web', image: b().busybox, args: ['exec sleep 3600'] }] } },
        },
      },
    });
    await w().cluster.kubeConfig.makeApiClient(BatchV1Api).createNamespacedJob({
      namespace: APP_NS,
      body: {
        metadata: { name: 'batch' },
        spec: {
          backoffLimit: 0,
          // A node's death is no failure of the work: retry elsewhere without counting it.
          podFailurePolicy: { rules: [{ action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] }] },
          template: { spec: { restartPolicy: 'Never', terminationGracePeriodSeconds: 1, containers: [{ name: 'batch', image: b().busybox, args: ['exec sleep 3600'] }] } },
        },
      },
    });
    const running = await waitFor('the Deployment\'s and the Job\'s pods Running on the real node', async () => {
      const pods = (await core().listNamespacedPod({ namespace: APP_NS })).items.filter((p) => p.metadata?.name !== 'hello');
      return pods.length === 2 && pods.every((p) => p.status?.phase === 'Running' && p.spec?.nodeName === NODE) ? pods : false;
    }, { timeoutMs: 300_000, intervalMs: 1000, describe: async () => JSON.stringify((await core().listNamespacedPod({ namespace: APP_NS })).items.map((p) => [p.metadata?.name, p.spec?.nodeName, p.status?.phase])) });
    const realPods = running.map((p) => `${APP_NS}/${p.metadata?.name ?? ''}`);
    // Somewhere for the replacements to go, made only now so the first pods land on the real node.
    await createNode(cluster, 'kwok-1');
    const timeline = await startClusterTimeline(cluster.kubeConfig, ANNOTATION_PREFIX);
    try {
      const panic = await w().vm.panic({ timeoutMs: 180_000 });
      progress(`QEMU gone ${panic.elapsedMs} ms after sysrq-c (the kubelet set kernel.panic=10)`);
      // Every replica hears the last gasp; the first to log it gives the time of the line.
      const heard = await Promise.all(hostCollectors.map((c) => c.waitForLog('incident opened', 60_000, (e) => e.kind === 'KernelPanic' && String(e.summary).includes('sysrq triggered crash'))));
      for (const opened of heard) expect(opened).to.include({ node: NODE, source: GUEST_ADDRESS, fatal: true });
      const lineAt = Math.min(...heard.map((e) => e.time));
      const nodeDeleted = await waitFor<TimelineEvent>(`Node ${NODE} deleted`, () => Promise.resolve(timeline.first('node-deleted', 0, NODE) ?? false), {
        timeoutMs: 120_000,
        describe: () => Promise.resolve(JSON.stringify(timeline.events().slice(-20))),
      });
      figure('panic-line-to-node-deleted-real-node', nodeDeleted.at - lineAt, 'collector logged the panic line → real Node delete seen by a watch (real pods, proof of death on, TCG)');
      for (const key of realPods) {
        await waitFor(`pod ${key} deleted`, () => Promise.resolve(timeline.first('pod-deleted', lineAt - 1000, key) ?? false), { timeoutMs: 60_000 });
        const last = timeline.pod(key);
        expect(isDisrupted(last), `${key} last seen ${JSON.stringify(last?.status)}`).to.equal(true);
        expect(last?.metadata?.annotations?.[`${ANNOTATION_PREFIX}/reason-code`]).to.equal('KernelPanic');
      }
      // kwok's stages run a Job's pod to completion at once: Running or already Succeeded there.
      const replacement = await waitFor('the Job\'s replacement run on kwok-1', async () => {
        const pods = (await core().listNamespacedPod({ namespace: APP_NS, labelSelector: 'job-name=batch' })).items;
        return pods.find((p) => p.spec?.nodeName === 'kwok-1' && (p.status?.phase === 'Running' || p.status?.phase === 'Succeeded')) ?? false;
      }, {
        timeoutMs: 300_000,
        intervalMs: 1000,
        describe: async () => {
          const pods = (await core().listNamespacedPod({ namespace: APP_NS })).items.map((p) => [p.metadata?.name, p.spec?.nodeName, p.status?.phase, p.status?.conditions?.map((c) => `${c.type}=${c.status}:${c.reason ?? ''}`)]);
          const nodes = (await core().listNode()).items.map((n) => [n.metadata?.name, n.status?.conditions?.find((c) => c.type === 'Ready')?.status, n.spec?.taints]);
          const job = await w().cluster.kubeConfig.makeApiClient(BatchV1Api).readNamespacedJob({ name: 'batch', namespace: APP_NS });
          return JSON.stringify({ pods, nodes, job: job.status });
        },
      });
      expect(`${APP_NS}/${replacement.metadata?.name ?? ''}`).to.not.be.oneOf(realPods);
      const job = await w().cluster.kubeConfig.makeApiClient(BatchV1Api).readNamespacedJob({ name: 'batch', namespace: APP_NS });
      expect(job.status?.failed ?? 0, 'the disrupted pod does not count against backoffLimit 0').to.equal(0);
      // Two replicas heard it; one record, written once.
      const panicRecords = async () => (await listNodeIncidents(w())).filter((r) => r.spec?.node === NODE && r.spec.kind === 'KernelPanic');
      const records = await waitFor('the NodeIncident Remediated', async () => {
        const list = await panicRecords();
        return list.some((r) => r.status?.phase === 'Remediated') ? list : false;
      }, { timeoutMs: 60_000, describe: async () => JSON.stringify(await panicRecords()) });
      expect(records.map((r) => r.status?.phase), JSON.stringify(records)).to.deep.equal(['Remediated']);
      // The image's log is JSON lines only, from its first line to the remediation.
      for (const c of hostCollectors) expect(c.logText().split('\n').filter((l) => l !== '' && !l.startsWith('{')), c.name).to.deep.equal([]);
    } finally {
      timeline.stop();
    }
  });
});
