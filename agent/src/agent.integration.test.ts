// The agent against a real control plane: discovery from EndpointSlices, targets applied in a
// temporary directory standing in for configfs, the Node condition on a kwok node, the static-list
// mode, and the uninstall/rolling-update decision on SIGTERM. The agent authenticates as a
// ServiceAccount holding exactly the permissions the chart grants it. EndpointSlices may not hold
// loopback addresses, so collector endpoints are this host's own addresses (routes of type local:
// `ip route get` answers without neighbour resolution and no packet leaves), told apart by port.
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppsV1Api, CoreV1Api, DiscoveryV1Api, RbacAuthorizationV1Api, type V1EndpointSlice } from '@kubernetes/client-node';
import { createNode, ensureNamespace, useCluster } from '@lastgasp/testbed/cluster';
import { waitFor } from '@lastgasp/testbed/testing';
import { expect } from 'chai';
import { pino } from 'pino';
import { startApp, type App } from './app.js';
import { resolveConfig } from './config/config.js';
import { createKubeClient } from './kube/kube-client.js';
import { loadKubeconfigFile } from './kube/kube-config.js';
import { readOwnDaemonSet } from './lifecycle.js';

const NS = 'lastgasp';
const SERVICE = 'lastgasp-collector';
const SLICE_A = 'lastgasp-collector-a';
const SLICE_B = 'lastgasp-collector-b';

/** This host's first non-loopback address of the family (IPv6: not link-local), or null. */
function hostAddress(family: 'IPv4' | 'IPv6'): string | null {
  for (const addresses of Object.values(networkInterfaces())) {
    for (const a of addresses ?? []) {
      if (a.family === family && !a.internal && !a.address.startsWith('fe80:')) return a.address;
    }
  }
  return null;
}
const key = (ip: string, port: number | string) => (ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`);
const AGENT = 'lastgasp-agent';

describe('agent against a real control plane', function () {
  const cluster = useCluster({ scheduler: false });
  let work: string;
  let agentKubeconfig: string;
  const apps: App[] = [];

  const v4 = hostAddress('IPv4') ?? '';
  // The second endpoint: this host's IPv6 address (a dual-stack Service has one slice per family),
  // or when it has none, the IPv4 address on another port.
  const v6 = hostAddress('IPv6');
  const second = v6 === null ? { type: 'IPv4' as const, ip: v4, port: 6667 } : { type: 'IPv6' as const, ip: v6, port: 6666 };

  const sliceBody = (name: string, type: 'IPv4' | 'IPv6', ip: string, port: number, ready: boolean): V1EndpointSlice => ({
    metadata: {
      name,
      namespace: NS,
      labels: { 'kubernetes.io/service-name': SERVICE, 'endpointslice.kubernetes.io/managed-by': 'lastgasp-tests' },
    },
    addressType: type,
    ports: [
      { name: 'netconsole', port, protocol: 'UDP' },
      { name: 'grpc', port: 6667, protocol: 'TCP' },
    ],
    endpoints: [{ addresses: [ip], conditions: { ready } }],
  });
  const setSlice = (name: string, type: 'IPv4' | 'IPv6', ip: string, port: number, ready: boolean) =>
    cluster().kubeConfig.makeApiClient(DiscoveryV1Api).replaceNamespacedEndpointSlice({ name, namespace: NS, body: sliceBody(name, type, ip, port, ready) });

  /** Enabled targets' remote_ip values in a configfs stand-in, sorted. */
  const enabledRemotes = async (root: string) => {
    const dir = join(root, 'netconsole');
    const remotes: string[] = [];
    for (const name of await readdir(dir)) {
      const enabled = (await readFile(join(dir, name, 'enabled'), 'utf8').catch(() => '')).trim();
      if (enabled !== '1') continue;
      const port = (await readFile(join(dir, name, 'remote_port'), 'utf8')).trim();
      remotes.push(key((await readFile(join(dir, name, 'remote_ip'), 'utf8')).trim(), port));
    }
    return remotes.sort();
  };
  const waitForRemotes = (root: string, want: string[]) =>
    waitFor(`enabled targets → ${want.join(', ') || 'none'}`, async () => {
      const got = await enabledRemotes(root);
      return JSON.stringify(got) === JSON.stringify(want) ? got : false;
    }, { timeoutMs: 30_000, describe: async () => JSON.stringify(await enabledRemotes(root)) });

  const condition = async (node: string) => {
    const n = await cluster().kubeConfig.makeApiClient(CoreV1Api).readNode({ name: node });
    return { mine: n.status?.conditions?.find((c) => c.type === 'LastGaspReady'), all: n.status?.conditions ?? [] };
  };

  async function startAgent(node: string, extra: Record<string, unknown>): Promise<{ app: App; root: string; kmsg: string }> {
    const root = join(work, node);
    await mkdir(join(root, 'netconsole'), { recursive: true });
    await writeFile(join(root, 'printk'), '7\t4\t1\t7\n');
    // The panic-reboot check reads stand-ins, not this machine's: a legacy netconsole with kernel.panic=10.
    await writeFile(join(root, 'consoles'), 'netcon_ext0          -W- (E      )\n');
    await writeFile(join(root, 'panic'), '10\n');
    const config = resolveConfig(
      {
        kubeconfig: agentKubeconfig,
        nodeName: node,
        collectorNamespace: NS,
        collectorService: SERVICE,
        configfsRoot: root,
        httpListen: '127.0.0.1:0',
        kmsgPath: join(root, 'kmsg'),
        printkPath: join(root, 'printk'),
        consolesPath: join(root, 'consoles'),
        panicSysctlPath: join(root, 'panic'),
        ipMonitor: false,
        daemonsetName: AGENT,
        ...extra,
      },
      { POD_NAMESPACE: NS },
    );
    const app = await startApp(config, { logger: pino({ level: process.env.LASTGASP_TEST_LOG ?? 'silent' }) });
    apps.push(app);
    return { app, root, kmsg: join(root, 'kmsg') };
  }

  before(async function () {
    this.timeout(120_000);
    if (v4 === '') throw new Error('this host has no non-loopback IPv4 address to use as a collector endpoint');
    work = await mkdtemp(join(tmpdir(), 'lastgasp-agent-it-'));
    const c = cluster();
    await ensureNamespace(c, NS);
    const core = c.kubeConfig.makeApiClient(CoreV1Api);
    await core.createNamespacedService({
      namespace: NS,
      body: { metadata: { name: SERVICE }, spec: { clusterIP: 'None', ports: [{ name: 'netconsole', port: 6666, protocol: 'UDP' }] } },
    });
    const discovery = c.kubeConfig.makeApiClient(DiscoveryV1Api);
    await discovery.createNamespacedEndpointSlice({ namespace: NS, body: sliceBody(SLICE_A, 'IPv4', v4, 6666, false) });
    await discovery.createNamespacedEndpointSlice({ namespace: NS, body: sliceBody(SLICE_B, second.type, second.ip, second.port, false) });
    for (const node of ['worker-1', 'worker-2', 'worker-3', 'worker-4', 'worker-5']) await createNode(c, node);
    // The chart's agent permissions (deploy/helm/lastgasp/templates/agent-rbac.yaml), nothing more.
    const rbac = c.kubeConfig.makeApiClient(RbacAuthorizationV1Api);
    const subjects = [{ kind: 'ServiceAccount', name: AGENT, namespace: NS }];
    await rbac.createClusterRole({
      body: {
        metadata: { name: AGENT },
        rules: [
          { apiGroups: [''], resources: ['nodes'], verbs: ['get'] },
          { apiGroups: [''], resources: ['nodes/status'], verbs: ['patch'] },
        ],
      },
    });
    await rbac.createClusterRoleBinding({ body: { metadata: { name: AGENT }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: AGENT }, subjects } });
    await rbac.createNamespacedRole({
      namespace: NS,
      body: {
        metadata: { name: AGENT },
        rules: [
          { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: ['list', 'watch'] },
          { apiGroups: ['apps'], resources: ['daemonsets'], resourceNames: [AGENT], verbs: ['get'] },
        ],
      },
    });
    await rbac.createNamespacedRoleBinding({
      namespace: NS,
      body: { metadata: { name: AGENT }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: AGENT }, subjects },
    });
    agentKubeconfig = await c.serviceAccountKubeconfig(NS, AGENT);
  });

  after(async function () {
    this.timeout(60_000);
    for (const app of apps) await app.stop().catch(() => undefined);
    if (work !== undefined) await rm(work, { recursive: true, force: true });
  });

  it('two ready endpoints in two slices → two enabled targets, LastGaspReady True, canary written', async () => {
    const { app, root, kmsg } = await startAgent('worker-1', {});
    await setSlice(SLICE_A, 'IPv4', v4, 6666, true);
    await setSlice(SLICE_B, second.type, second.ip, second.port, true);
    const both = [key(v4, 6666), key(second.ip, second.port)].sort();
    await waitForRemotes(root, both);
    const cond = await waitFor('LastGaspReady True on worker-1 naming both', async () => {
      const c = await condition('worker-1');
      return c.mine?.status === 'True' && both.every((b) => c.mine?.message?.includes(b)) ? c : false;
    }, { timeoutMs: 30_000, describe: async () => JSON.stringify(await condition('worker-1')) });
    expect(cond.mine).to.include({ reason: 'TargetsConfigured', message: `netconsole → ${both.join(', ')} (extended)` });
    const ready = await fetch(`http://127.0.0.1:${app.httpPort}/readyz`);
    expect(ready.status).to.equal(200);
    const kmsgText = await waitFor('a canary in kmsg', async () => {
      const text = await readFile(kmsg, 'utf8').catch(() => '');
      return text.includes('node=worker-1') ? text : false;
    }, { timeoutMs: 10_000 });
    // The canary says the panic line will be sent: a legacy netconsole writes it before any reboot.
    expect(kmsgText).to.match(/^<6>lastgasp: netconsole path check node=worker-1 seq=1 panic-line=sent\n/);
    expect(kmsgText.trim().split('\n').every((line) => /^<6>lastgasp: netconsole path check node=worker-1 seq=\d+ panic-line=sent$/.test(line))).to.equal(true);
  });

  it('one slice moved to port 6670, the other endpoint not ready → only the moved one remains', async () => {
    const root = join(work, 'worker-1');
    await setSlice(SLICE_B, second.type, second.ip, second.port, false);
    await setSlice(SLICE_A, 'IPv4', v4, 6670, true);
    await waitForRemotes(root, [key(v4, 6670)]);
    expect(await readdir(join(root, 'netconsole'))).to.have.length(1);
  });

  it('kwok keeps its own node conditions beside ours (strategic merge by type)', async () => {
    const cond = await waitFor('LastGaspReady names port 6670 and Ready is there', async () => {
      const c = await condition('worker-1');
      return c.mine?.message?.includes(key(v4, 6670)) && c.all.some((x) => x.type === 'Ready') ? c : false;
    }, { timeoutMs: 30_000, describe: async () => JSON.stringify(await condition('worker-1')) });
    expect(cond.all.map((c) => c.type)).to.include.members(['Ready', 'LastGaspReady']);
  });

  it('no ready endpoints → LastGaspReady False NoCollectorEndpoints, the pod still ready (a rollout must not stall), targets left in place', async () => {
    const app = apps[0];
    await setSlice(SLICE_A, 'IPv4', v4, 6670, false);
    const cond = await waitFor('LastGaspReady False on worker-1', async () => {
      const c = await condition('worker-1');
      return c.mine?.status === 'False' ? c.mine : false;
    }, { timeoutMs: 30_000, describe: async () => JSON.stringify(await condition('worker-1')) });
    expect(cond.reason).to.equal('NoCollectorEndpoints');
    const ready = await fetch(`http://127.0.0.1:${app?.httpPort ?? 0}/readyz`);
    expect(ready.status).to.equal(200);
    expect(await ready.text()).to.match(/^NoCollectorEndpoints: /);
    expect(await enabledRemotes(join(work, 'worker-1'))).to.deep.equal([key(v4, 6670)]);
  });

  it('static list 127.0.0.9:6666 → target without discovery, condition True on worker-2', async () => {
    const { root } = await startAgent('worker-2', { staticCollectors: '127.0.0.9:6666', collectorService: 'does-not-exist' });
    await waitForRemotes(root, ['127.0.0.9:6666']);
    await waitFor('LastGaspReady True on worker-2', async () => {
      const c = await condition('worker-2');
      return c.mine?.status === 'True' && c.mine.message === 'netconsole → 127.0.0.9:6666 (extended)' ? c : false;
    }, { timeoutMs: 30_000, describe: async () => JSON.stringify(await condition('worker-2')) });
  });

  it('SIGTERM with the DaemonSet present → targets kept; with it deleted → targets removed', async () => {
    const c = cluster();
    const appsApi = c.kubeConfig.makeApiClient(AppsV1Api);
    const labels = { app: AGENT };
    await appsApi.createNamespacedDaemonSet({
      namespace: NS,
      body: {
        metadata: { name: AGENT },
        spec: {
          selector: { matchLabels: labels },
          template: {
            metadata: { labels },
            spec: { nodeSelector: { 'lastgasp.dev/no-such-node': 'true' }, containers: [{ name: 'agent', image: 'registry.invalid/lastgasp/agent:1' }] },
          },
        },
      },
    });
    const first = await startAgent('worker-3', { staticCollectors: '127.0.0.10:6666' });
    await waitForRemotes(first.root, ['127.0.0.10:6666']);
    expect((await first.app.shutdown()).action).to.equal('keep-targets');
    expect(await enabledRemotes(first.root)).to.deep.equal(['127.0.0.10:6666']);

    const second = await startAgent('worker-3', { staticCollectors: '127.0.0.10:6666', configfsRoot: first.root });
    await waitFor('second agent adopts the target', () => Promise.resolve(second.app.reconciler.status().ready || false), { timeoutMs: 30_000 });
    expect(await readdir(join(first.root, 'netconsole'))).to.have.length(1);
    await appsApi.deleteNamespacedDaemonSet({ name: AGENT, namespace: NS });
    await waitFor('DaemonSet gone', async () => appsApi.readNamespacedDaemonSet({ name: AGENT, namespace: NS }).then(() => false, () => true), { timeoutMs: 30_000 });
    expect((await second.app.shutdown()).action).to.equal('remove-targets');
    expect(await readdir(join(first.root, 'netconsole'))).to.deep.equal([]);
  });

  it('a node without netconsole (no configfs) → LastGaspReady False ConfigfsUnavailable, the pod ready all the same', async () => {
    const { app } = await startAgent('worker-4', { staticCollectors: '127.0.0.11:6666', configfsRoot: join(work, 'no-configfs-here') });
    const cond = await waitFor('LastGaspReady False on worker-4', async () => {
      const c = await condition('worker-4');
      return c.mine?.status === 'False' ? c.mine : false;
    }, { timeoutMs: 30_000, describe: async () => JSON.stringify(await condition('worker-4')) });
    expect(cond.reason).to.equal('ConfigfsUnavailable');
    const ready = await fetch(`http://127.0.0.1:${app.httpPort}/readyz`);
    expect(ready.status).to.equal(200);
    expect(await ready.text()).to.match(/^ConfigfsUnavailable: .*no-configfs-here does not exist/);
  });

  it('not ready while the collector endpoints cannot be listed (no permission for that namespace)', async () => {
    await mkdir(join(work, 'worker-4b', 'netconsole'), { recursive: true });
    const { app } = await startAgent('worker-4', { collectorNamespace: 'kube-system', configfsRoot: join(work, 'worker-4b') });
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const ready = await fetch(`http://127.0.0.1:${app.httpPort}/readyz`);
    expect(ready.status).to.equal(503);
    expect(await ready.text()).to.match(/^EndpointsUnknown: /);
    await app.stop();
  });

  it('--canary-interval 0 → targets configured and no canary written at all', async () => {
    const { app, root, kmsg } = await startAgent('worker-5', { staticCollectors: '127.0.0.12:6666', canaryInterval: '0' });
    await waitForRemotes(root, ['127.0.0.12:6666']);
    await waitFor('worker-5 ready', () => Promise.resolve(app.reconciler.status().ready || false), { timeoutMs: 30_000 });
    await app.reconciler.idle();
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await readFile(kmsg, 'utf8').catch(() => 'no kmsg file')).to.equal('no kmsg file');
    const metrics = await (await fetch(`http://127.0.0.1:${app.httpPort}/metrics`)).text();
    expect(metrics).to.not.match(/^lastgasp_agent_canaries_total\{[^}]*\} [1-9]/m);
  });

  it('SIGTERM after the chart withdrew the agent\'s access (helm uninstall deletes RBAC and ServiceAccount with the DaemonSet) → targets removed; never readable → kept', async () => {
    const c = cluster();
    const appsApi = c.kubeConfig.makeApiClient(AppsV1Api);
    const rbac = c.kubeConfig.makeApiClient(RbacAuthorizationV1Api);
    const labels = { app: AGENT };
    await appsApi.createNamespacedDaemonSet({
      namespace: NS,
      body: {
        metadata: { name: AGENT },
        spec: {
          selector: { matchLabels: labels },
          template: {
            metadata: { labels },
            spec: { nodeSelector: { 'lastgasp.dev/no-such-node': 'true' }, containers: [{ name: 'agent', image: 'registry.invalid/lastgasp/agent:1' }] },
          },
        },
      },
    });
    // A misconfigured name: the Role allows only the real one, so the read is refused from the start.
    await mkdir(join(work, 'worker-3-misnamed', 'netconsole'), { recursive: true });
    const misnamed = await startAgent('worker-3', { staticCollectors: '127.0.0.13:6666', daemonsetName: 'not-the-agent', configfsRoot: join(work, 'worker-3-misnamed') });
    const misnamedRoot = join(work, 'worker-3-misnamed');
    await waitForRemotes(misnamedRoot, ['127.0.0.13:6666']);
    await waitFor('the misnamed agent was refused', () => Promise.resolve(misnamed.app.ownDaemonSetAtStart() === 'denied'), { timeoutMs: 30_000 });
    expect(await misnamed.app.shutdown()).to.include({ action: 'keep-targets' });
    expect(await enabledRemotes(misnamedRoot)).to.deep.equal(['127.0.0.13:6666']);

    // The RoleBinding goes first (403), with the DaemonSet still there.
    const bound = await startAgent('worker-3', { staticCollectors: '127.0.0.10:6666' });
    await waitForRemotes(bound.root, ['127.0.0.10:6666']);
    await waitFor('the agent read its DaemonSet', () => Promise.resolve(bound.app.ownDaemonSetAtStart() === 'readable'), { timeoutMs: 30_000 });
    await rbac.deleteNamespacedRoleBinding({ name: AGENT, namespace: NS });
    expect(await bound.app.shutdown()).to.deep.equal({ action: 'remove-targets', reason: "the agent's credentials were withdrawn (uninstall)" });
    expect(await readdir(join(bound.root, 'netconsole'))).to.deep.equal([]);

    // Then the ServiceAccount (401: its tokens die with it), RoleBinding restored.
    await rbac.createNamespacedRoleBinding({
      namespace: NS,
      body: { metadata: { name: AGENT }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: AGENT }, subjects: [{ kind: 'ServiceAccount', name: AGENT, namespace: NS }] },
    });
    const tokened = await startAgent('worker-3', { staticCollectors: '127.0.0.10:6666' });
    await waitForRemotes(tokened.root, ['127.0.0.10:6666']);
    await waitFor('the new agent read its DaemonSet', () => Promise.resolve(tokened.app.ownDaemonSetAtStart() === 'readable'), { timeoutMs: 30_000 });
    await c.kubeConfig.makeApiClient(CoreV1Api).deleteNamespacedServiceAccount({ name: AGENT, namespace: NS });
    // The apiserver caches a token's authentication for a few seconds: wait until it refuses it.
    const asAgent = createKubeClient(loadKubeconfigFile(agentKubeconfig));
    await waitFor('the deleted ServiceAccount\'s token refused', async () => (await readOwnDaemonSet(asAgent, NS, AGENT)) === 'denied', { timeoutMs: 30_000 });
    expect(await tokened.app.shutdown()).to.deep.equal({ action: 'remove-targets', reason: "the agent's credentials were withdrawn (uninstall)" });
    expect(await readdir(join(tokened.root, 'netconsole'))).to.deep.equal([]);
  });
});
