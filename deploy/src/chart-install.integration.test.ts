// The chart on a real control plane (kube-apiserver with RBAC, controller-manager, scheduler, kwok
// nodes): install, the real authorizer's view of each ServiceAccount, upgrade, uninstall.
import { AdmissionregistrationV1Api, AppsV1Api, ApiextensionsV1Api, AuthorizationV1Api, CoreV1Api, RbacAuthorizationV1Api } from '@kubernetes/client-node';
import type { V1DaemonSet, V1Deployment, V1ResourceAttributes } from '@kubernetes/client-node';
import { apiStatus, createNode, useCluster } from '@lastgasp/testbed/cluster';
import { waitFor } from '@lastgasp/testbed/testing';
import { startCollector } from '@lastgasp/testbed/collector';
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createHelm } from './helm.js';
import type { Helm } from './helm.js';

const CHART = fileURLToPath(new URL('../helm/lastgasp', import.meta.url));
const REPO = fileURLToPath(new URL('../../', import.meta.url));
const run = promisify(execFile);
const SERVER_TLS = 'lastgasp-collector-grpc-tls';
const CLIENT_TLS = 'lastgasp-collector-client-tls';
const RELEASE = 'lastgasp';
/** Helm keeps its release record here; the chart creates NS for everything else. */
const RELEASE_NS = 'default';
const NS = 'lastgasp-system';
const AGENT = 'lastgasp-agent';
const COLLECTOR = 'lastgasp-collector';
const CRD = 'nodeincidents.lastgasp.dev';
const INSTANCE = `app.kubernetes.io/instance=${RELEASE}`;
const WAIT = { timeoutMs: 180_000, intervalMs: 500 };

const NODES = [
  { name: 'worker-a' },
  { name: 'worker-b' },
  { name: 'worker-gpu', taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }, { key: 'dedicated', value: 'gpu', effect: 'NoExecute' }] },
  { name: 'control-plane-1', labels: { 'node-role.kubernetes.io/control-plane': '' }, taints: [{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }] },
];

describe('deploy/helm/lastgasp installed on the real control plane', function () {
  this.timeout(300_000);
  // Node failure is not under test: a kwok heartbeat delayed on a loaded machine must not turn the
  // nodes NotReady and with them every pod's readiness.
  const cluster = useCluster({ controllerManagerArgs: ['--node-monitor-grace-period=5m'] });
  let helm: Helm;
  let home = '';
  let core: CoreV1Api;
  let apps: AppsV1Api;

  before(async () => {
    const c = cluster();
    home = await mkdtemp(join(tmpdir(), 'lastgasp-helm-'));
    helm = createHelm({ binary: c.binaries.helm, home, kubeconfig: c.kubeconfigPath });
    core = c.kubeConfig.makeApiClient(CoreV1Api);
    apps = c.kubeConfig.makeApiClient(AppsV1Api);
    for (const node of NODES) await createNode(c, node.name, node);
  });
  after(async () => {
    // The cluster is torn down by useCluster; only helm's own files are ours to remove.
    if (home) await rm(home, { recursive: true, force: true });
  });

  async function describeWorkloads(): Promise<string> {
    const [ds, d, pods] = await Promise.all([
      apps.readNamespacedDaemonSet({ name: AGENT, namespace: NS }).catch((e: unknown) => String(e)),
      apps.readNamespacedDeployment({ name: COLLECTOR, namespace: NS }).catch((e: unknown) => String(e)),
      core.listNamespacedPod({ namespace: NS }).catch((e: unknown) => String(e)),
    ]);
    const pod = typeof pods === 'string' ? pods : pods.items.map((p) => `${p.metadata?.name ?? '?'}@${p.spec?.nodeName ?? '-'}:${p.status?.phase ?? '?'}`);
    return JSON.stringify({ daemonSet: typeof ds === 'string' ? ds : ds.status, deployment: typeof d === 'string' ? d : d.status, pods: pod });
  }

  async function agentNodes(): Promise<string[]> {
    const pods = await core.listNamespacedPod({ namespace: NS, labelSelector: 'app.kubernetes.io/component=agent' });
    return pods.items.filter((p) => p.status?.phase === 'Running').map((p) => p.spec?.nodeName ?? '').sort();
  }

  function rolledOut(ds: V1DaemonSet): boolean {
    const s = ds.status;
    const generation = ds.metadata?.generation ?? 0;
    return !!s && (s.observedGeneration ?? 0) >= generation && s.desiredNumberScheduled === NODES.length && s.updatedNumberScheduled === NODES.length && s.numberAvailable === NODES.length;
  }

  function available(d: V1Deployment): boolean {
    const s = d.status;
    const want = d.spec?.replicas ?? 0;
    const availableCondition = s?.conditions?.find((x) => x.type === 'Available')?.status === 'True';
    return availableCondition && (s?.observedGeneration ?? 0) >= (d.metadata?.generation ?? 0) && s?.updatedReplicas === want && s.availableReplicas === want && (s.replicas ?? 0) === want;
  }

  it('installs: the CRD is Established, the agent runs on every node including tainted ones, the collectors become Available', async () => {
    const out = await helm.ok(['install', RELEASE, CHART, '--namespace', RELEASE_NS, '--set', 'namespace.create=true', '--set', `namespace.name=${NS}`]);
    // NOTES.txt tells how to check the install.
    expect(out).to.contain('LastGaspReady').and.contain(`lastgasp status --server`).and.contain(`-n ${NS} port-forward service/${COLLECTOR}`);
    // Mutual TLS by default; NOTES.txt says where the client certificate is.
    expect(out).to.contain(`get secret ${CLIENT_TLS}`).and.contain(`exec deploy/${COLLECTOR} -- lastgasp status`);
    const c = cluster();
    const crds = c.kubeConfig.makeApiClient(ApiextensionsV1Api);
    await waitFor(`CRD ${CRD} Established`, async () => {
      const crd = await crds.readCustomResourceDefinition({ name: CRD });
      return crd.status?.conditions?.some((x) => x.type === 'Established' && x.status === 'True');
    }, WAIT);
    const ns = await core.readNamespace({ name: NS });
    expect(ns.metadata?.labels?.['pod-security.kubernetes.io/enforce']).to.equal('privileged');

    await waitFor('the agent DaemonSet on every node', async () => rolledOut(await apps.readNamespacedDaemonSet({ name: AGENT, namespace: NS })), { ...WAIT, describe: describeWorkloads });
    expect(await agentNodes()).to.deep.equal(NODES.map((n) => n.name).sort());

    const deployment = await waitFor('the collector Deployment Available', async () => {
      const d = await apps.readNamespacedDeployment({ name: COLLECTOR, namespace: NS });
      return available(d) ? d : false;
    }, { ...WAIT, describe: describeWorkloads });
    expect(deployment.status?.availableReplicas).to.equal(2);
    const collectors = await core.listNamespacedPod({ namespace: NS, labelSelector: 'app.kubernetes.io/component=collector' });
    const collectorNodes = collectors.items.map((p) => p.spec?.nodeName);
    expect(new Set(collectorNodes).size, `collectors on ${collectorNodes.join(', ')}`).to.equal(2);
    expect(collectorNodes).to.not.include('worker-gpu').and.not.include('control-plane-1');

    // The agent's node-status policy (what it allows is tested in agent-admission-policy.integration.test.ts).
    const admission = c.kubeConfig.makeApiClient(AdmissionregistrationV1Api);
    const binding = await admission.readValidatingAdmissionPolicyBinding({ name: `${AGENT}-node-status` });
    expect(binding.spec?.policyName).to.equal(`${AGENT}-node-status`);
    expect((await admission.readValidatingAdmissionPolicy({ name: `${AGENT}-node-status` })).spec?.failurePolicy).to.equal('Fail');
  });

  const user = (name: string): { user: string; groups: string[] } => ({
    user: `system:serviceaccount:${NS}:${name}`,
    groups: ['system:serviceaccounts', `system:serviceaccounts:${NS}`, 'system:authenticated'],
  });
  const can: Array<[who: string, allowed: boolean, attrs: V1ResourceAttributes]> = [
    // collector: remediation
    [COLLECTOR, true, { verb: 'watch', resource: 'nodes' }],
    [COLLECTOR, true, { verb: 'patch', resource: 'nodes', name: 'worker-a' }],
    [COLLECTOR, true, { verb: 'delete', resource: 'nodes', name: 'worker-a' }],
    [COLLECTOR, true, { verb: 'list', resource: 'pods' }],
    [COLLECTOR, true, { verb: 'patch', resource: 'pods', namespace: 'batch' }],
    [COLLECTOR, true, { verb: 'patch', resource: 'pods', subresource: 'status', namespace: 'batch' }],
    [COLLECTOR, true, { verb: 'delete', resource: 'pods', namespace: 'batch' }],
    [COLLECTOR, true, { verb: 'create', resource: 'events', namespace: 'default' }],
    [COLLECTOR, true, { verb: 'create', group: 'events.k8s.io', resource: 'events', namespace: 'batch' }],
    [COLLECTOR, true, { verb: 'create', group: 'lastgasp.dev', resource: 'nodeincidents' }],
    [COLLECTOR, true, { verb: 'watch', group: 'lastgasp.dev', resource: 'nodeincidents' }],
    [COLLECTOR, true, { verb: 'patch', group: 'lastgasp.dev', resource: 'nodeincidents', subresource: 'status', name: 'x' }],
    [COLLECTOR, true, { verb: 'create', group: 'coordination.k8s.io', resource: 'leases', namespace: NS }],
    [COLLECTOR, true, { verb: 'update', group: 'coordination.k8s.io', resource: 'leases', namespace: NS, name: COLLECTOR }],
    [COLLECTOR, true, { verb: 'get', group: 'coordination.k8s.io', resource: 'leases', namespace: 'kube-node-lease', name: 'worker-a' }],
    // collector: not more
    [COLLECTOR, false, { verb: 'get', resource: 'secrets', namespace: NS }],
    [COLLECTOR, false, { verb: 'list', resource: 'secrets' }],
    [COLLECTOR, false, { verb: 'delete', resource: 'namespaces', name: 'default' }],
    [COLLECTOR, false, { verb: 'create', resource: 'pods', namespace: 'batch' }],
    [COLLECTOR, false, { verb: 'update', group: 'coordination.k8s.io', resource: 'leases', namespace: NS, name: 'someone-else' }],
    [COLLECTOR, false, { verb: 'update', group: 'coordination.k8s.io', resource: 'leases', namespace: 'kube-node-lease', name: 'worker-a' }],
    [COLLECTOR, false, { verb: 'patch', group: 'apps', resource: 'deployments', namespace: NS }],
    [COLLECTOR, false, { verb: 'get', resource: 'configmaps', namespace: 'kube-system' }],
    // agent: its node, discovery, its DaemonSet
    [AGENT, true, { verb: 'get', resource: 'nodes', name: 'worker-a' }],
    [AGENT, true, { verb: 'patch', resource: 'nodes', subresource: 'status', name: 'worker-a' }],
    [AGENT, true, { verb: 'list', group: 'discovery.k8s.io', resource: 'endpointslices', namespace: NS }],
    [AGENT, true, { verb: 'watch', group: 'discovery.k8s.io', resource: 'endpointslices', namespace: NS }],
    [AGENT, true, { verb: 'get', group: 'apps', resource: 'daemonsets', namespace: NS, name: AGENT }],
    // agent: not more
    [AGENT, false, { verb: 'get', resource: 'secrets', namespace: NS }],
    [AGENT, false, { verb: 'delete', resource: 'namespaces', name: NS }],
    [AGENT, false, { verb: 'patch', resource: 'nodes', name: 'worker-a' }],
    [AGENT, false, { verb: 'delete', resource: 'nodes', name: 'worker-a' }],
    [AGENT, false, { verb: 'list', resource: 'nodes' }],
    [AGENT, false, { verb: 'list', group: 'discovery.k8s.io', resource: 'endpointslices', namespace: 'default' }],
    [AGENT, false, { verb: 'get', group: 'apps', resource: 'daemonsets', namespace: NS, name: 'other' }],
    [AGENT, false, { verb: 'delete', resource: 'pods', namespace: NS }],
  ];

  it('lets each ServiceAccount do what it needs and not read Secrets or delete Namespaces (SubjectAccessReview)', async () => {
    const authz = cluster().kubeConfig.makeApiClient(AuthorizationV1Api);
    const wrong: string[] = [];
    for (const [who, allowed, attrs] of can) {
      const review = await authz.createSubjectAccessReview({ body: { spec: { ...user(who), resourceAttributes: attrs } } });
      if ((review.status?.allowed ?? false) !== allowed) wrong.push(`${who} ${allowed ? 'cannot' : 'can'} ${JSON.stringify(attrs)}`);
    }
    expect(wrong).to.deep.equal([]);
  });

  /** The Secret's keys, decoded, as `kubectl get secret -o jsonpath` and `base64 -d` give them. */
  async function secretFiles(name: string): Promise<Record<string, string>> {
    const secret = await core.readNamespacedSecret({ name, namespace: NS });
    expect(secret.type).to.equal('kubernetes.io/tls');
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(secret.data ?? {})) out[k] = Buffer.from(v, 'base64').toString();
    return out;
  }

  it('the status API over mutual TLS with the certificates the chart made: the client Secret gets an answer, no certificate none', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lastgasp-tls-'));
    const collector = { kill: (): Promise<void> => Promise.resolve() };
    try {
      const server = await secretFiles(SERVER_TLS);
      const client = await secretFiles(CLIENT_TLS);
      expect(client['ca.crt']).to.equal(server['ca.crt']);
      for (const [prefix, files] of [['server', server], ['client', client]] as const) {
        for (const key of ['ca.crt', 'tls.crt', 'tls.key']) await writeFile(join(dir, `${prefix}-${key}`), files[key] ?? '');
      }
      // The collector with the rendered TLS settings, mounted from the Secret as the pod would have it.
      const started = await startCollector({
        name: 'tls',
        dir,
        entry: 'source',
        config: {
          standalone: true,
          udpListen: '127.0.0.1:0',
          grpcListen: '127.0.0.1:0',
          httpListen: '127.0.0.1:0',
          grpc: { tlsCert: join(dir, 'server-tls.crt'), tlsKey: join(dir, 'server-tls.key'), clientCa: join(dir, 'server-ca.crt') },
        },
        startTimeoutMs: 60_000,
      });
      collector.kill = () => started.kill();
      const port = started.listeners.grpc.split(':').at(-1) ?? '';
      const cli = (env: Record<string, string>) =>
        run(process.execPath, ['--import', 'tsx', '--conditions=lastgasp-source', 'collector/src/cli/main.ts', 'status', '-o', 'json'], {
          cwd: REPO,
          env: { ...process.env, LASTGASP_SERVER: `localhost:${port}`, ...env },
        });
      // As NOTES.txt says: the client Secret's files in LASTGASP_CA, LASTGASP_CERT and LASTGASP_KEY.
      const ok = await cli({ LASTGASP_CA: join(dir, 'client-ca.crt'), LASTGASP_CERT: join(dir, 'client-tls.crt'), LASTGASP_KEY: join(dir, 'client-tls.key') });
      expect((JSON.parse(ok.stdout) as { version?: string }).version).to.be.a('string');
      // 127.0.0.1 is in the certificate too (kubectl port-forward listens there).
      const byIp = await cli({ LASTGASP_SERVER: `127.0.0.1:${port}`, LASTGASP_CA: join(dir, 'client-ca.crt'), LASTGASP_CERT: join(dir, 'client-tls.crt'), LASTGASP_KEY: join(dir, 'client-tls.key') });
      expect(byIp.stdout).to.contain('"version"');
      // Without a client certificate, and in plaintext: no answer.
      const refused = await cli({ LASTGASP_CA: join(dir, 'client-ca.crt') }).then(() => 0, (err: { code?: number }) => err.code ?? -1);
      expect(refused).to.not.equal(0);
      const plain = await cli({}).then(() => 0, (err: { code?: number }) => err.code ?? -1);
      expect(plain).to.not.equal(0);
    } finally {
      await collector.kill();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('rolls out changed values on helm upgrade (new generations observed and fully updated)', async () => {
    const before = {
      ds: await apps.readNamespacedDaemonSet({ name: AGENT, namespace: NS }),
      d: await apps.readNamespacedDeployment({ name: COLLECTOR, namespace: NS }),
    };
    const certBefore = (await secretFiles(SERVER_TLS))['tls.crt'];
    await helm.ok(['upgrade', RELEASE, CHART, '--namespace', RELEASE_NS, '--reuse-values', '--set', 'collector.policy.dryRun=true', '--set', 'agent.recheckInterval=30s']);
    // The certificates the first install made stay (clients keep their client certificate).
    expect((await secretFiles(SERVER_TLS))['tls.crt']).to.equal(certBefore);

    const cm = await core.readNamespacedConfigMap({ name: COLLECTOR, namespace: NS });
    expect(cm.data?.['config.yaml']).to.match(/dryRun: true/);
    const ds = await waitFor('the agent DaemonSet rolled out with --recheck-interval=30s', async () => {
      const now = await apps.readNamespacedDaemonSet({ name: AGENT, namespace: NS });
      return (now.metadata?.generation ?? 0) > (before.ds.metadata?.generation ?? 0) && rolledOut(now) ? now : false;
    }, { ...WAIT, describe: describeWorkloads });
    expect(ds.spec?.template.spec?.containers[0]?.args).to.include('--recheck-interval=30s');
    const d = await waitFor('the collector Deployment rolled out with the new config', async () => {
      const now = await apps.readNamespacedDeployment({ name: COLLECTOR, namespace: NS });
      return (now.metadata?.generation ?? 0) > (before.d.metadata?.generation ?? 0) && available(now) ? now : false;
    }, { ...WAIT, describe: describeWorkloads });
    const checksum = (x: V1Deployment): string | undefined => x.spec?.template.metadata?.annotations?.['checksum/config'];
    expect(checksum(d)).to.be.a('string').and.not.equal(checksum(before.d));
    await waitFor('only collector pods of the new template', async () => {
      const pods = await core.listNamespacedPod({ namespace: NS, labelSelector: 'app.kubernetes.io/component=collector' });
      const live = pods.items.filter((p) => !p.metadata?.deletionTimestamp);
      return live.length === 2 && live.every((p) => p.metadata?.annotations?.['checksum/config'] === checksum(d));
    }, { ...WAIT, describe: describeWorkloads });
    const status = JSON.parse(await helm.ok(['status', RELEASE, '--namespace', RELEASE_NS, '--output', 'json'])) as { version: number; info: { status: string } };
    expect(status).to.deep.include({ version: 2 });
    expect(status.info.status).to.equal('deployed');
  });

  it('leaves nothing behind on helm uninstall except the CRD', async () => {
    await helm.ok(['uninstall', RELEASE, '--namespace', RELEASE_NS]);
    const c = cluster();
    const rbac = c.kubeConfig.makeApiClient(RbacAuthorizationV1Api);
    const leftovers = async (): Promise<string[]> => {
      const found: string[] = [];
      const add = (kind: string, items: Array<{ metadata?: { name?: string; namespace?: string } }>): void => {
        for (const i of items) found.push(`${kind} ${i.metadata?.namespace ?? ''}/${i.metadata?.name ?? ''}`);
      };
      add('ClusterRole', (await rbac.listClusterRole({ labelSelector: INSTANCE })).items);
      add('ClusterRoleBinding', (await rbac.listClusterRoleBinding({ labelSelector: INSTANCE })).items);
      add('Role', (await rbac.listRoleForAllNamespaces({ labelSelector: INSTANCE })).items);
      add('RoleBinding', (await rbac.listRoleBindingForAllNamespaces({ labelSelector: INSTANCE })).items);
      const admission = c.kubeConfig.makeApiClient(AdmissionregistrationV1Api);
      add('ValidatingAdmissionPolicy', (await admission.listValidatingAdmissionPolicy({ labelSelector: INSTANCE })).items);
      add('ValidatingAdmissionPolicyBinding', (await admission.listValidatingAdmissionPolicyBinding({ labelSelector: INSTANCE })).items);
      add('Pod', (await core.listPodForAllNamespaces({ labelSelector: INSTANCE })).items);
      add('Service', (await core.listServiceForAllNamespaces({ labelSelector: INSTANCE })).items);
      add('ConfigMap', (await core.listConfigMapForAllNamespaces({ labelSelector: INSTANCE })).items);
      add('Secret', (await core.listSecretForAllNamespaces({ labelSelector: INSTANCE })).items);
      add('ServiceAccount', (await core.listServiceAccountForAllNamespaces({ labelSelector: INSTANCE })).items);
      add('DaemonSet', (await apps.listDaemonSetForAllNamespaces({ labelSelector: INSTANCE })).items);
      add('Deployment', (await apps.listDeploymentForAllNamespaces({ labelSelector: INSTANCE })).items);
      add('ReplicaSet', (await apps.listReplicaSetForAllNamespaces({ labelSelector: INSTANCE })).items);
      add('Secret(release)', (await core.listNamespacedSecret({ namespace: RELEASE_NS, labelSelector: `owner=helm,name=${RELEASE}` })).items);
      try {
        const ns = await core.readNamespace({ name: NS });
        found.push(`Namespace ${NS} (${ns.status?.phase ?? '?'})`);
      } catch (err) {
        if (apiStatus(err) !== 404) throw err;
      }
      return found;
    };
    await waitFor('nothing of the release left', async () => {
      const found = await leftovers();
      return found.length === 0 ? true : found;
    }, { ...WAIT, timeoutMs: 240_000, describe: async () => JSON.stringify(await leftovers()) });
    const crd = await c.kubeConfig.makeApiClient(ApiextensionsV1Api).readCustomResourceDefinition({ name: CRD });
    expect(crd.metadata?.name, 'Helm keeps CRDs from crds/ on uninstall').to.equal(CRD);
  });
});
