// The chart's admission policy for the agent (templates/agent-admission-policy.yaml) on the real
// apiserver: with a token bound to its pod on worker-a, the agent's ServiceAccount may change the
// LastGaspReady condition of worker-a and nothing else — not another Node, not addresses, Ready,
// labels, annotations or taints — and a token of the same ServiceAccount bound to no pod may change
// nothing. The agent's own condition writer, with that token, still works.
import { AdmissionregistrationV1Api, CoreV1Api, RbacAuthorizationV1Api } from '@kubernetes/client-node';
import type { V1Node, V1NodeCondition } from '@kubernetes/client-node';
import { createKubeClient, createNodeConditionReporter, KubeApiError, loadKubeconfigFile } from '@lastgasp/agent';
import type { KubeClient } from '@lastgasp/agent';
import { applyManifest, createNode, createPod, ensureNamespace, useCluster } from '@lastgasp/testbed/cluster';
import { waitFor } from '@lastgasp/testbed/testing';
import { expect } from 'chai';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { createHelm, kubeVersionArgs } from './helm.js';

const CHART = fileURLToPath(new URL('../helm/lastgasp', import.meta.url));
const NS = 'lastgasp';
const AGENT = 'lastgasp-agent';
const POLICY = 'lastgasp-agent-node-status';
const TEMPLATES = ['templates/serviceaccounts.yaml', 'templates/agent-rbac.yaml', 'templates/agent-admission-policy.yaml'];
const A = 'worker-a';
const B = 'worker-b';
const ADDRESS_A = '127.0.2.10';
const ADDRESS_B = '127.0.2.11';
const SMP = 'application/strategic-merge-patch+json';
const MERGE = 'application/merge-patch+json';
const WAIT = { timeoutMs: 60_000, intervalMs: 250 };

const statusPath = (node: string): string => `/api/v1/nodes/${node}/status`;
const lastGasp = (message: string): V1NodeCondition => ({ type: 'LastGaspReady', status: 'True', reason: 'TargetsConfigured', message });
const conditionPatch = (condition: V1NodeCondition): object => ({ status: { conditions: [condition] } });

/**
 * The HTTP status and the Status message of a refused request; fails the test if it was accepted.
 * KubeApiError carries the start of the response body, where the Status' first `message` is.
 */
async function refusal(request: Promise<unknown>): Promise<{ code: number; message: string }> {
  try {
    await request;
  } catch (err) {
    if (!(err instanceof KubeApiError)) throw err;
    const quoted = /"message":("(?:[^"\\]|\\.)*")/.exec(err.message)?.[1];
    return { code: err.code, message: quoted === undefined ? err.message : (JSON.parse(quoted) as string) };
  }
  throw new Error('the request was accepted');
}

describe('deploy/helm/lastgasp agent admission policy on the real control plane', function () {
  this.timeout(120_000);
  // The node lifecycle controller would mark the kubelet-less Nodes Unknown and taint them; the
  // Nodes here must change only when a test changes them. The controller-manager still runs for the
  // policy's type-checking status.
  const cluster = useCluster({ kwok: false, scheduler: false, controllerManagerArgs: ['--node-monitor-grace-period=10m'] });
  let home = '';
  let core: CoreV1Api;
  /** Token bound to the agent's pod on worker-a: what the kubelet mounts there. */
  let bound: KubeClient;
  /** Token of the same ServiceAccount, bound to nothing. */
  let unbound: KubeClient;
  const readyA: V1NodeCondition = { type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status' };

  const node = (name: string): Promise<V1Node> => core.readNode({ name });
  const condition = async (name: string, type: string): Promise<V1NodeCondition | undefined> =>
    (await node(name)).status?.conditions?.find((c) => c.type === type);

  before(async () => {
    const c = cluster();
    core = c.kubeConfig.makeApiClient(CoreV1Api);
    home = await mkdtemp(join(tmpdir(), 'lastgasp-helm-'));
    const helm = createHelm({ binary: c.binaries.helm, home });
    await ensureNamespace(c, NS);
    const rendered = await helm.ok(['template', 'lastgasp', CHART, '--namespace', NS, ...kubeVersionArgs(), ...TEMPLATES.flatMap((t) => ['--show-only', t])]);
    const applied = await applyManifest(c, rendered);
    expect(applied.map((o) => `${o.kind ?? '?'}/${o.metadata?.name ?? '?'}`)).to.include.members([
      `ValidatingAdmissionPolicy/${POLICY}`,
      `ValidatingAdmissionPolicyBinding/${POLICY}`,
    ]);

    await createNode(c, A, { kwok: false, addresses: [{ type: 'InternalIP', address: ADDRESS_A }, { type: 'Hostname', address: A }] });
    await createNode(c, B, { kwok: false, addresses: [{ type: 'InternalIP', address: ADDRESS_B }, { type: 'Hostname', address: B }] });
    // As a kubelet would have it: Ready, from the admin (whom the policy does not match).
    const admin = createKubeClient(loadKubeconfigFile(c.kubeconfigPath));
    await admin.request('PATCH', statusPath(A), conditionPatch(readyA), SMP);
    await createPod(c, { namespace: NS, name: 'agent-on-a', nodeName: A, serviceAccountName: AGENT });
    bound = createKubeClient(loadKubeconfigFile(await c.serviceAccountKubeconfig(NS, AGENT, { boundPod: 'agent-on-a' })));
    unbound = createKubeClient(loadKubeconfigFile(await c.serviceAccountKubeconfig(NS, AGENT)));

    // The apiserver enforces a new policy once its informers have it.
    await waitFor('the policy enforced', async () => {
      try {
        await unbound.request('PATCH', statusPath(B), conditionPatch(lastGasp('probe')), SMP);
        return false;
      } catch (err) {
        return err instanceof KubeApiError && err.code === 403 && err.message.includes(POLICY);
      }
    }, WAIT);
    // Written while the policy was not yet enforced; the tests below start from a clean worker-b.
    await admin.request('PATCH', statusPath(B), { status: { conditions: [{ type: 'LastGaspReady', $patch: 'delete' }] } }, SMP);
  });
  after(async () => {
    if (home) await rm(home, { recursive: true, force: true });
  });

  it('type-checks without warnings against the Node schema', async () => {
    const c = cluster();
    const policy = await waitFor('the policy status observed', async () => {
      const p = await c.kubeConfig.makeApiClient(AdmissionregistrationV1Api).readValidatingAdmissionPolicy({ name: POLICY });
      return (p.status?.observedGeneration ?? 0) >= (p.metadata?.generation ?? 1) ? p : false;
    }, WAIT);
    expect(policy.status?.typeChecking?.expressionWarnings ?? []).to.deep.equal([]);
  });

  it("lets the agent's own condition writer set LastGaspReady on its Node, then move it True → False", async () => {
    const lines: string[] = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(line) });
    let now = Date.parse('2030-01-01T00:00:00Z');
    const reporter = createNodeConditionReporter({ kube: bound, nodeName: A, logger, now: () => now });

    await reporter.report({ status: 'True', reason: 'TargetsConfigured', message: `netconsole → ${ADDRESS_B}:6666 (extended)` });
    expect(await condition(A, 'LastGaspReady')).to.deep.include({ status: 'True', reason: 'TargetsConfigured', lastTransitionTime: new Date(now) });
    now += 60_000;
    await reporter.report({ status: 'False', reason: 'NoCollectorEndpoints', message: 'no collector endpoints' });
    expect(await condition(A, 'LastGaspReady')).to.deep.include({ status: 'False', reason: 'NoCollectorEndpoints', lastTransitionTime: new Date(now) });

    expect(lines.join('')).to.not.contain('could not write node condition');
    // The kubelet's condition is untouched.
    expect(await condition(A, 'Ready')).to.deep.include({ status: 'True', reason: 'KubeletReady' });
  });

  /** `patch` is the body, or made from the Node as it is just before the request. */
  const refusals: Array<{ name: string; node: string; patch: object | { from: (current: V1Node) => object }; contentType?: string; message: RegExp }> = [
    { name: "worker-b's LastGaspReady", node: B, patch: conditionPatch(lastGasp('from worker-a')), message: /: lastgasp agent: the agent on Node worker-a may not write Node worker-b, only its own$/ },
    {
      name: "worker-a's addresses (worker-b's IP)",
      node: A,
      patch: { status: { addresses: [{ type: 'InternalIP', address: ADDRESS_B }] } },
      message: /: lastgasp agent: may change only the LastGaspReady condition of its Node, not status\.addresses$/,
    },
    {
      name: "worker-a's LastGaspReady and addresses in one patch",
      node: A,
      patch: { status: { conditions: [lastGasp('and more')], addresses: [{ type: 'InternalIP', address: ADDRESS_B }] } },
      message: /, not status\.addresses$/,
    },
    {
      name: "worker-a's Ready condition",
      node: A,
      patch: conditionPatch({ type: 'Ready', status: 'False', reason: 'KernelDeadlock', message: 'fake' }),
      message: /, not status\.conditions\[Ready\]$/,
    },
    {
      name: "worker-a's Ready condition removed",
      node: A,
      patch: { status: { conditions: [{ type: 'Ready', $patch: 'delete' }] } },
      message: /, not status\.conditions\[Ready\]$/,
    },
    {
      // A merge patch replaces the whole list: every condition kept, one Ready added in front.
      name: 'a second Ready condition on worker-a',
      node: A,
      patch: { from: (n: V1Node) => ({ status: { conditions: [{ type: 'Ready', status: 'False', reason: 'Fake' }, ...(n.status?.conditions ?? [])] } }) },
      contentType: MERGE,
      message: /, not status\.conditions\[Ready\]$/,
    },
    { name: 'a label on worker-a', node: A, patch: { metadata: { labels: { 'node-role.kubernetes.io/control-plane': '' } } }, message: /, not metadata\.labels$/ },
    { name: 'an annotation on worker-a', node: A, patch: { metadata: { annotations: { 'lastgasp.dev/excluded': 'true' } } }, message: /, not metadata\.annotations$/ },
    { name: 'a finalizer on worker-a', node: A, patch: { metadata: { finalizers: ['example.com/keep'] } }, message: /, not metadata\.finalizers$/ },
  ];
  for (const r of refusals) {
    it(`refuses ${r.name} (nodes/status, pod-bound token), naming what would change`, async () => {
      const before = await node(r.node);
      const patch = 'from' in r.patch ? r.patch.from(before) : r.patch;
      const { code, message } = await refusal(bound.request('PATCH', statusPath(r.node), patch, r.contentType ?? SMP));
      expect(code).to.equal(403);
      expect(message).to.contain(`ValidatingAdmissionPolicy '${POLICY}'`).and.match(r.message);
      const after = await node(r.node);
      expect(after.metadata?.resourceVersion, 'the Node was not written').to.equal(before.metadata?.resourceVersion);
    });
  }

  it('refuses a taint on worker-a through nodes, even where RBAC would grant it', async () => {
    const c = cluster();
    const rbac = c.kubeConfig.makeApiClient(RbacAuthorizationV1Api);
    const name = 'broader-than-the-chart';
    await rbac.createClusterRole({ body: { metadata: { name }, rules: [{ apiGroups: [''], resources: ['nodes'], verbs: ['patch'] }] } });
    await rbac.createClusterRoleBinding({
      body: { metadata: { name }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name }, subjects: [{ kind: 'ServiceAccount', name: AGENT, namespace: NS }] },
    });
    const taint = { spec: { taints: [{ key: 'lastgasp.dev/hijacked', effect: 'NoExecute' }] } };
    try {
      const { code, message } = await waitFor('the grant in effect and the taint refused by the policy', async () => {
        const result = await refusal(bound.request('PATCH', `/api/v1/nodes/${A}`, taint, SMP));
        return result.message.includes(POLICY) ? result : false;
      }, WAIT);
      expect(code).to.equal(403);
      expect(message).to.match(/, not spec\.taints$/);
      // Through nodes/status the apiserver drops spec changes before admission: nothing to refuse, nothing written.
      await bound.request('PATCH', statusPath(A), taint, SMP);
      expect((await node(A)).spec?.taints).to.equal(undefined);
    } finally {
      await rbac.deleteClusterRoleBinding({ name });
      await rbac.deleteClusterRole({ name });
    }
  });

  it('refuses a token of the same ServiceAccount bound to no pod, even for LastGaspReady', async () => {
    const { code, message } = await refusal(unbound.request('PATCH', statusPath(A), conditionPatch(lastGasp('unbound')), SMP));
    expect(code).to.equal(403);
    expect(message).to.match(/lastgasp agent: these credentials name no Node; only a ServiceAccount token bound to the agent's pod/);
    expect((await condition(A, 'LastGaspReady'))?.message).to.not.equal('unbound');
  });

  it('leaves everyone else alone: the admin labels worker-a and sets its Ready condition', async () => {
    const admin = createKubeClient(loadKubeconfigFile(cluster().kubeconfigPath));
    await admin.request('PATCH', `/api/v1/nodes/${A}`, { metadata: { labels: { team: 'infra' } } }, SMP);
    await admin.request('PATCH', statusPath(A), conditionPatch({ ...readyA, message: 'still ready' }), SMP);
    const a = await node(A);
    expect(a.metadata?.labels).to.include({ team: 'infra' });
    expect(a.status?.conditions?.find((c) => c.type === 'Ready')?.message).to.equal('still ready');
  });
});
