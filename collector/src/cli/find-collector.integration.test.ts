// `lastgasp` without --server, as a real process against the real control plane: it reads the
// kubeconfig, finds the collector Pods of the namespace (-n, or the context's), picks the leader by
// its Lease, and port-forwards through the API server to that Pod's grpc port. The Pods here run on a
// kwok Node, which has no kubelet to serve a port-forward: the API server's refusal must come back
// naming the Pod that was chosen (the forward's data path itself needs a real kubelet; not proven here).
import { CoordinationV1Api, CoreV1Api, type V1Pod } from '@kubernetes/client-node';
import { createNode, ensureNamespace, useCluster } from '@lastgasp/testbed/cluster';
import { waitFor } from '@lastgasp/testbed/testing';
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const NS = 'lg-cli';
const LABELS = { 'app.kubernetes.io/name': 'lastgasp', 'app.kubernetes.io/part-of': 'lastgasp', 'app.kubernetes.io/component': 'collector' };

function collectorPod(name: string): V1Pod {
  return {
    metadata: { name, namespace: NS, labels: LABELS },
    spec: {
      nodeName: 'cli-node',
      automountServiceAccountToken: false,
      containers: [{ name: 'collector', image: 'registry.invalid/collector:0', ports: [{ name: 'grpc', containerPort: 6667 }] }],
    },
  };
}

function cli(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=lastgasp-source', 'collector/src/cli/main.ts', ...args], {
      cwd: REPO,
      env: { PATH: process.env['PATH'] ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('lastgasp finds the collector through the kubeconfig (real control plane)', function () {
  this.timeout(180_000);
  const cluster = useCluster({ scheduler: false });
  let home = '';
  let env: Record<string, string> = {};

  before(async function () {
    this.timeout(120_000);
    const c = cluster();
    home = await mkdtemp(join(tmpdir(), 'lastgasp-cli-kube-'));
    env = { HOME: home, KUBECONFIG: c.kubeconfigPath };
    // The Node's kubelet address is loopback with nothing listening there: the API server's dial fails at once.
    await createNode(c, 'cli-node', { addresses: [{ type: 'InternalIP', address: '127.0.0.1' }] });
    await ensureNamespace(c, NS);
    await ensureNamespace(c, 'lg-empty');
    const core = c.kubeConfig.makeApiClient(CoreV1Api);
    for (const name of ['collector-a', 'collector-b']) await core.createNamespacedPod({ namespace: NS, body: collectorPod(name) });
    await waitFor('both collector Pods Ready (kwok)', async () => {
      const pods = (await core.listNamespacedPod({ namespace: NS })).items;
      return pods.filter((p) => p.status?.conditions?.some((x) => x.type === 'Ready' && x.status === 'True')).length === 2;
    }, { timeoutMs: 60_000 });
    await c.kubeConfig.makeApiClient(CoordinationV1Api).createNamespacedLease({
      namespace: NS,
      body: { metadata: { name: 'lastgasp-collector' }, spec: { holderIdentity: 'collector-b', leaseDurationSeconds: 15 } },
    });
  });
  after(async () => {
    if (home) await rm(home, { recursive: true, force: true });
  });

  it('-n NS → the leader by its Lease, forwarded through the API server; the refusal names that Pod (exit 2)', async () => {
    const r = await cli(['-n', NS, 'status', '--timeout', '10s'], env);
    expect(r.code, r.stderr).to.equal(2);
    expect(r.stderr).to.contain(`pod ${NS}/collector-b (leader) port 6667, through a port-forward`);
    // The API server could not dial the Node's (absent) kubelet: its answer reaches the user.
    expect(r.stderr).to.match(/the port-forward failed: Unexpected server response: 5\d\d/);
  });

  it("no -n: the kubeconfig context's namespace", async () => {
    const kubeconfig = parse(await readFile(env['KUBECONFIG'] ?? '', 'utf8')) as { contexts: { context: Record<string, string> }[] };
    for (const ctx of kubeconfig.contexts) ctx.context['namespace'] = NS;
    const withNs = join(home, 'kubeconfig-ns');
    await writeFile(withNs, stringify(kubeconfig));
    const r = await cli(['status', '--timeout', '10s'], { ...env, KUBECONFIG: withNs });
    expect(r.code, r.stderr).to.equal(2);
    expect(r.stderr).to.contain(`pod ${NS}/collector-b (leader)`);
  });

  it('the Lease held by no collector → the first ready Pod by name', async () => {
    await cluster()
      .kubeConfig.makeApiClient(CoordinationV1Api)
      .patchNamespacedLease({ name: 'lastgasp-collector', namespace: NS, body: [{ op: 'replace', path: '/spec/holderIdentity', value: 'gone-pod' }] });
    const r = await cli(['--kubeconfig', env['KUBECONFIG'] ?? '', '-n', NS, 'hosts', '--timeout', '10s'], { HOME: home });
    expect(r.code, r.stderr).to.equal(2);
    expect(r.stderr).to.contain(`pod ${NS}/collector-a port 6667, through a port-forward`);
  });

  it('a namespace without collectors → says so and suggests -n or --server (exit 2)', async () => {
    const r = await cli(['-n', 'lg-empty', 'status'], env);
    expect(r.code).to.equal(2);
    expect(r.stderr).to.match(/cannot find the collector through the kubeconfig: no collector Pods .* in namespace lg-empty/);
  });

  it('--server still wins over the kubeconfig', async () => {
    const r = await cli(['--server', '127.0.0.1:9', 'status', '--timeout', '2s'], env);
    expect(r.code).to.equal(2);
    expect(r.stderr).to.contain('cannot reach the collector at 127.0.0.1:9');
  });
});
