// The chart as helm sees it: lint --strict, and the objects `helm template` renders with the default
// values and with each ci/*-values.yaml, checked for what the agent, the collector and the contracts
// between them rely on. Uses the helm binary built from Go modules; no cluster.
import type {
  V1ClusterRole,
  V1ConfigMap,
  V1Container,
  V1DaemonSet,
  V1Deployment,
  V1Namespace,
  V1ResourceQuota,
  V1Service,
  V1ValidatingAdmissionPolicy,
  V1ValidatingAdmissionPolicyBinding,
} from '@kubernetes/client-node';
import { loadConfig as loadAgentConfig } from '@lastgasp/agent';
import type { AgentConfig } from '@lastgasp/agent';
import { parseRules } from '@lastgasp/collector';
import { ensureBinaries } from '@lastgasp/testbed/cluster';
import { expect } from 'chai';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { createHelm, kubeVersionArgs } from './helm.js';
import type { Helm } from './helm.js';
import { Rendered } from './rendered.js';

const CHART = fileURLToPath(new URL('../helm/lastgasp', import.meta.url));
const CI_DIR = join(CHART, 'ci');
const NAMESPACED_KINDS = ['ServiceAccount', 'ConfigMap', 'Service', 'DaemonSet', 'Deployment', 'PodDisruptionBudget', 'NetworkPolicy', 'ResourceQuota', 'ServiceMonitor', 'PodMonitor', 'PrometheusRule'];

function container(spec: { spec?: { template?: { spec?: { containers?: V1Container[] } } } }): V1Container {
  const c = spec.spec?.template?.spec?.containers?.[0];
  if (!c) throw new Error('no container');
  return c;
}

function argValue(c: V1Container, flag: string): string | undefined {
  const prefix = `--${flag}=`;
  return c.args?.find((a) => a.startsWith(prefix))?.slice(prefix.length);
}

/**
 * The agent's configuration as its own flag parser reads the rendered DaemonSet: `$(VAR)` in args
 * expanded from the container's env the way the kubelet does (downward-API values filled in here).
 */
async function agentConfigOf(ds: V1DaemonSet, nodeName: string): Promise<AgentConfig> {
  const c = container(ds);
  const env: Record<string, string> = {};
  for (const e of c.env ?? []) {
    const field = e.valueFrom?.fieldRef?.fieldPath;
    env[e.name] = field === 'spec.nodeName' ? nodeName : field === 'metadata.namespace' ? (ds.metadata?.namespace ?? '') : (e.value ?? '');
  }
  const args = (c.args ?? []).map((a) => a.replace(/\$\(([A-Z_]+)\)/g, (whole, name: string) => env[name] ?? whole));
  const config = await loadAgentConfig(args, env);
  if (config === 'help') throw new Error('the rendered args ask for --help');
  return config;
}

describe('deploy/helm/lastgasp rendered by helm', function () {
  this.timeout(120_000);
  let helm: Helm;
  let home = '';
  let ciFiles: string[] = [];

  before(async function () {
    this.timeout(30 * 60_000); // a first build of the binaries
    const binaries = await ensureBinaries();
    home = await mkdtemp(join(tmpdir(), 'lastgasp-helm-'));
    helm = createHelm({ binary: binaries.helm, home });
    ciFiles = (await readdir(CI_DIR)).filter((f) => f.endsWith('-values.yaml')).sort();
  });
  after(async () => {
    if (home) await rm(home, { recursive: true, force: true });
  });

  async function template(args: string[]): Promise<Rendered> {
    return Rendered.parse(await helm.ok(['template', 'lastgasp', CHART, '--namespace', 'lastgasp', ...kubeVersionArgs(), ...args]));
  }

  it('has ci values files to render', () => {
    expect(ciFiles).to.include.members(['capabilities-values.yaml', 'everything-values.yaml']);
  });

  it('passes helm lint --strict with the defaults and with each ci/*-values.yaml', async () => {
    for (const args of [[], ...ciFiles.map((f) => ['--values', join(CI_DIR, f)])]) {
      const result = await helm.run(['lint', '--strict', CHART, ...kubeVersionArgs(), ...args]);
      expect(result.code, `${args.join(' ') || 'defaults'}:\n${result.stdout}${result.stderr}`).to.equal(0);
    }
  });

  it('renders every object with the app.kubernetes.io labels and its component, namespaced ones in one namespace', async () => {
    for (const args of [[], ...ciFiles.map((f) => ['--values', join(CI_DIR, f)])]) {
      const rendered = await template(args);
      const namespaces = new Set<string>();
      for (const o of rendered.objects) {
        const labels = o.metadata?.labels ?? {};
        const what = `${o.kind ?? '?'}/${o.metadata?.name ?? '?'} (${args.join(' ') || 'defaults'})`;
        expect(labels, what).to.include({ 'app.kubernetes.io/name': 'lastgasp', 'app.kubernetes.io/instance': 'lastgasp', 'app.kubernetes.io/managed-by': 'Helm' });
        expect(labels['app.kubernetes.io/version'], what).to.be.a('string');
        if (['DaemonSet', 'Deployment', 'Service', 'ClusterRole', 'Role', 'ValidatingAdmissionPolicy'].includes(o.kind ?? '')) {
          expect(labels['app.kubernetes.io/component'], what).to.be.oneOf(['agent', 'collector']);
        }
        if (NAMESPACED_KINDS.includes(o.kind ?? '')) namespaces.add(o.metadata?.namespace ?? '');
      }
      expect([...namespaces], args.join(' ')).to.have.lengthOf(1);
    }
  });

  it("pod templates carry no label that changes with the chart's version, so a chart bump alone rolls nothing", async () => {
    for (const args of [[], ...ciFiles.map((f) => ['--values', join(CI_DIR, f)])]) {
      const r = await template(args);
      for (const w of [r.one<V1DaemonSet>('DaemonSet'), r.one<V1Deployment>('Deployment')]) {
        const labels = w.spec?.template.metadata?.labels ?? {};
        expect(labels, `${w.kind ?? ''} ${args.join(' ')}`).to.not.have.any.keys('helm.sh/chart', 'app.kubernetes.io/version');
        expect(labels).to.include(w.spec?.selector.matchLabels ?? {});
        expect(labels).to.include({ 'app.kubernetes.io/part-of': 'lastgasp' });
      }
    }
  });

  describe('with the default values', () => {
    let r: Rendered;
    before(async () => {
      r = await template([]);
    });

    it('runs the agent privileged on the host network on every node, with the downward-API environment', () => {
      const ds = r.one<V1DaemonSet>('DaemonSet');
      const pod = ds.spec?.template.spec;
      const c = container(ds);
      expect(pod?.hostNetwork).to.equal(true);
      expect(pod?.tolerations).to.deep.equal([{ operator: 'Exists' }]);
      expect(pod?.priorityClassName).to.equal('system-node-critical');
      expect(c.securityContext?.privileged).to.equal(true);
      expect(ds.spec?.updateStrategy?.rollingUpdate?.maxUnavailable).to.equal('10%');
      const env = Object.fromEntries((c.env ?? []).map((e) => [e.name, e.valueFrom?.fieldRef?.fieldPath ?? e.value]));
      expect(env).to.deep.equal({ NODE_NAME: 'spec.nodeName', POD_NAMESPACE: 'metadata.namespace', DAEMONSET_NAME: ds.metadata?.name });
      const mounts = Object.fromEntries((c.volumeMounts ?? []).map((m) => [m.mountPath, m.readOnly ?? false]));
      expect(mounts).to.deep.equal({ '/sys/kernel/config': false, '/lib/modules': true });
      const hostPaths = (pod?.volumes ?? []).map((v) => v.hostPath?.path);
      expect(hostPaths).to.have.members(['/sys/kernel/config', '/lib/modules']);
      expect(c.livenessProbe?.httpGet).to.include({ path: '/livez', port: 'http-metrics' });
      expect(c.readinessProbe?.httpGet).to.include({ path: '/readyz', port: 'http-metrics' });
      expect(c.ports?.[0]?.containerPort).to.equal(6669);
      expect(argValue(c, 'http-listen')).to.equal('[::]:6669');
      expect(c.resources?.requests).to.have.keys('cpu', 'memory');
      expect(c.resources?.limits).to.have.key('memory');
    });

    it('points the agent at the collector Service by name and at its UDP port named netconsole', () => {
      const svc = r.one<V1Service>('Service');
      const c = container(r.one<V1DaemonSet>('DaemonSet'));
      expect(argValue(c, 'collector-service')).to.equal(svc.metadata?.name);
      expect(argValue(c, 'collector-port-name')).to.equal('netconsole');
      const ports = (svc.spec?.ports ?? []).map((p) => [p.name, p.protocol, p.port]);
      expect(ports).to.deep.equal([
        ['netconsole', 'UDP', 6666],
        ['grpc', 'TCP', 6667],
        ['http-metrics', 'TCP', 6668],
      ]);
      const deployment = r.one<V1Deployment>('Deployment');
      expect(svc.spec?.selector).to.deep.equal(deployment.spec?.selector.matchLabels);
    });

    it("passes the agent's own flag parser: discovery through the collector Service, its DaemonSet, the contract port", async () => {
      const ds = r.one<V1DaemonSet>('DaemonSet');
      const config = await agentConfigOf(ds, 'worker-a');
      expect(config).to.deep.include({
        nodeName: 'worker-a',
        collectorNamespace: 'lastgasp',
        collectorService: r.one<V1Service>('Service').metadata?.name,
        collectorPortName: 'netconsole',
        staticCollectors: null,
        configfsRoot: '/sys/kernel/config',
        daemonsetName: ds.metadata?.name,
        recheckIntervalMs: 60_000,
        canaryIntervalMs: 6 * 3600_000,
      });
      expect(config.httpListen).to.deep.equal({ host: '::', port: 6669 });
    });

    it('runs 2 collectors on the host network, on different nodes, non-root, read-only, no capabilities, HTTP probes (the API is TLS)', () => {
      const d = r.one<V1Deployment>('Deployment');
      const pod = d.spec?.template.spec;
      const c = container(d);
      expect(d.spec?.replicas).to.equal(2);
      expect(pod?.hostNetwork).to.equal(true);
      expect(pod?.dnsPolicy).to.equal('ClusterFirstWithHostNet');
      const anti = pod?.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.[0];
      expect(anti?.topologyKey).to.equal('kubernetes.io/hostname');
      expect(anti?.labelSelector?.matchLabels).to.deep.equal(d.spec?.selector.matchLabels);
      expect(pod?.securityContext).to.include({ runAsNonRoot: true, runAsUser: 65532 });
      expect(c.securityContext).to.deep.include({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
      expect(c.livenessProbe?.httpGet).to.deep.include({ path: '/livez', port: 'http-metrics' });
      expect(c.readinessProbe?.httpGet).to.deep.include({ path: '/readyz', port: 'http-metrics' });
      expect(c.args).to.deep.equal(['serve', '--config=/etc/lastgasp/config.yaml']);
      const env = (c.env ?? []).map((e) => [e.name, e.valueFrom?.fieldRef?.fieldPath]);
      expect(env).to.deep.include.members([
        ['POD_NAME', 'metadata.name'],
        ['POD_NAMESPACE', 'metadata.namespace'],
      ]);
      expect(r.one('PodDisruptionBudget')).to.have.nested.property('spec.minAvailable', 1);
    });

    it('serves the API over mutual TLS with certificates the chart made: the server Secret mounted, the client Secret set up for kubectl exec', () => {
      const d = r.one<V1Deployment>('Deployment');
      const c = container(d);
      const volumes = d.spec?.template.spec?.volumes ?? [];
      expect(volumes.find((v) => v.name === 'grpc-tls')?.secret?.secretName).to.equal('lastgasp-collector-grpc-tls');
      expect(volumes.find((v) => v.name === 'client-tls')?.secret?.secretName).to.equal('lastgasp-collector-client-tls');
      const env = Object.fromEntries((c.env ?? []).map((e) => [e.name, e.value]));
      expect(env).to.include({ LASTGASP_SERVER: 'localhost:6667', LASTGASP_CA: '/etc/lastgasp-client-tls/ca.crt', LASTGASP_CERT: '/etc/lastgasp-client-tls/tls.crt', LASTGASP_KEY: '/etc/lastgasp-client-tls/tls.key' });
      const config = parse(r.one<V1ConfigMap>('ConfigMap').data?.['config.yaml'] ?? '') as { grpc: Record<string, string> };
      expect(config.grpc).to.deep.equal({ tlsCert: '/etc/lastgasp-tls/tls.crt', tlsKey: '/etc/lastgasp-tls/tls.key', clientCa: '/etc/lastgasp-tls/ca.crt' });
      const secrets = r.all<{ metadata?: { name?: string }; type?: string; data?: Record<string, string> }>('Secret');
      expect(secrets.map((x) => x.metadata?.name).sort()).to.deep.equal(['lastgasp-collector-client-tls', 'lastgasp-collector-grpc-tls']);
      for (const secret of secrets) {
        expect(secret.type).to.equal('kubernetes.io/tls');
        expect(Object.keys(secret.data ?? {}).sort()).to.deep.equal(['ca.crt', 'tls.crt', 'tls.key']);
        expect(Buffer.from(secret.data?.['tls.crt'] ?? '', 'base64').toString()).to.match(/^-----BEGIN CERTIFICATE-----/);
      }
      expect(secrets[0]?.data?.['ca.crt']).to.equal(secrets[1]?.data?.['ca.crt']);
    });

    it('mounts a config file with the contract listen addresses, lease and policy, and the shipped rules', () => {
      const cm = r.one<V1ConfigMap>('ConfigMap');
      const config = parse(cm.data?.['config.yaml'] ?? '') as Record<string, unknown>;
      expect(config).to.include({ udpListen: '[::]:6666', grpcListen: '[::]:6667', httpListen: '[::]:6668', leaseName: 'lastgasp-collector' });
      expect(config).to.not.have.property('rulesFile');
      expect(config['policy']).to.deep.include({ mode: 'immediate', dryRun: false, nodeAction: 'delete', excludeNodeSelector: 'node-role.kubernetes.io/control-plane' });
      const d = r.one<V1Deployment>('Deployment');
      expect(d.spec?.template.spec?.volumes?.find((v) => v.name === 'config')?.configMap?.name).to.equal(cm.metadata?.name);
      expect(d.spec?.template.metadata?.annotations?.['checksum/config']).to.match(/^[0-9a-f]{64}$/);
    });

    it('grants the collector what remediation needs and nothing on Secrets', () => {
      const role = r.one<V1ClusterRole>('ClusterRole', 'lastgasp-collector');
      const verbs = (group: string, resource: string): string[] =>
        (role.rules ?? []).filter((rule) => rule.apiGroups?.includes(group) && rule.resources?.includes(resource)).flatMap((rule) => rule.verbs);
      expect(verbs('', 'nodes')).to.have.members(['get', 'list', 'watch', 'patch', 'delete']);
      expect(verbs('', 'pods')).to.have.members(['list', 'patch', 'delete']);
      expect(verbs('', 'pods/status')).to.have.members(['patch']);
      expect(verbs('events.k8s.io', 'events')).to.include('create');
      expect(verbs('lastgasp.dev', 'nodeincidents')).to.include.members(['create', 'get', 'list', 'watch', 'patch']);
      expect(JSON.stringify(role.rules)).to.not.contain('secrets').and.not.contain('"*"');
    });

    it("binds an admission policy (Deny, fail closed) to the agent's ServiceAccount on UPDATE of nodes and nodes/status", () => {
      const policy = r.one<V1ValidatingAdmissionPolicy>('ValidatingAdmissionPolicy');
      const binding = r.one<V1ValidatingAdmissionPolicyBinding>('ValidatingAdmissionPolicyBinding');
      const ds = r.one<V1DaemonSet>('DaemonSet');
      expect(policy.metadata?.name).to.equal('lastgasp-agent-node-status');
      expect(binding.spec).to.deep.equal({ policyName: policy.metadata?.name, validationActions: ['Deny'] });
      expect(policy.spec?.failurePolicy).to.equal('Fail');
      expect(policy.spec?.matchConstraints?.resourceRules).to.deep.equal([{ apiGroups: [''], apiVersions: ['v1'], operations: ['UPDATE'], resources: ['nodes', 'nodes/status'] }]);
      const user = `system:serviceaccount:${ds.metadata?.namespace ?? '?'}:${ds.spec?.template.spec?.serviceAccountName ?? '?'}`;
      expect(policy.spec?.matchConditions).to.deep.equal([{ name: 'agent-service-account', expression: `request.userInfo.username == '${user}'` }]);
      // The node name the apiserver puts in a pod-bound token's user extra.
      expect(policy.spec?.variables?.find((v) => v.name === 'tokenNodes')?.expression).to.contain("request.userInfo.extra['authentication.kubernetes.io/node-name']");
      expect(policy.spec?.validations?.map((v) => v.reason)).to.deep.equal(['Forbidden', 'Forbidden', 'Forbidden']);
    });

    it('creates no Namespace, ResourceQuota, monitors or NetworkPolicy', () => {
      for (const kind of ['Namespace', 'ResourceQuota', 'ServiceMonitor', 'PodMonitor', 'PrometheusRule', 'NetworkPolicy']) expect(r.all(kind), kind).to.be.empty;
      expect(r.all<V1ConfigMap>('ConfigMap').filter((m) => m.metadata?.labels?.['grafana_dashboard'] !== undefined), 'dashboard').to.be.empty;
    });
  });

  describe('with ci/capabilities-values.yaml', () => {
    let r: Rendered;
    before(async () => {
      r = await template(['--values', join(CI_DIR, 'capabilities-values.yaml')]);
    });

    it('runs the agent unprivileged with only the listed capabilities, all others dropped, canary off', () => {
      const c = container(r.one<V1DaemonSet>('DaemonSet'));
      expect(c.securityContext?.privileged).to.equal(false);
      expect(c.securityContext?.capabilities).to.deep.equal({ drop: ['ALL'], add: ['NET_ADMIN', 'SYS_ADMIN', 'SYS_MODULE'] });
      expect(argValue(c, 'canary-interval')).to.equal('0');
      expect(argValue(c, 'static-collectors')).to.equal('192.0.2.10:6666,[2001:db8::10]:6666');
    });

    it("passes the agent's own flag parser with static collectors and the canary off", async () => {
      const config = await agentConfigOf(r.one<V1DaemonSet>('DaemonSet'), 'worker-b');
      expect(config.canaryIntervalMs).to.equal(0);
      expect(config.staticCollectors).to.have.lengthOf(2);
    });

    it('runs collectors on the pod network with soft spreading and mounts the custom rules it names', () => {
      const d = r.one<V1Deployment>('Deployment');
      expect(d.spec?.template.spec?.hostNetwork).to.equal(false);
      expect(d.spec?.template.spec?.affinity?.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution).to.have.lengthOf(1);
      const cm = r.one<V1ConfigMap>('ConfigMap');
      const config = parse(cm.data?.['config.yaml'] ?? '') as Record<string, unknown>;
      expect(config['rulesFile']).to.equal('/etc/lastgasp/kernel-rules.json');
      expect(config['udpListen']).to.equal('0.0.0.0:6666');
      // The collector's own rules parser accepts what the chart mounts.
      const rules = parseRules(JSON.parse(cm.data?.['kernel-rules.json'] ?? '') as unknown, 'kernel-rules.json');
      expect(rules.rules.map((x) => x.reason)).to.deep.equal(['KernelPanic', 'KernelOops']);
    });
  });

  describe('with ci/everything-values.yaml', () => {
    let r: Rendered;
    before(async () => {
      r = await template(['--values', join(CI_DIR, 'everything-values.yaml')]);
    });

    it('creates the namespace with Pod Security level privileged and puts everything in it', () => {
      const ns = r.one<V1Namespace>('Namespace');
      expect(ns.metadata?.name).to.equal('lastgasp-system');
      expect(ns.metadata?.labels).to.include({ 'pod-security.kubernetes.io/enforce': 'privileged', team: 'platform' });
      for (const o of r.objects.filter((x) => NAMESPACED_KINDS.includes(x.kind ?? ''))) expect(o.metadata?.namespace).to.equal('lastgasp-system');
      const match = r.one<V1ValidatingAdmissionPolicy>('ValidatingAdmissionPolicy').spec?.matchConditions?.[0]?.expression;
      expect(match).to.contain("'system:serviceaccount:lastgasp-system:lastgasp-agent'");
    });

    it('admits both critical priority classes with a ResourceQuota', () => {
      const quota = r.one<V1ResourceQuota>('ResourceQuota');
      expect(quota.spec?.scopeSelector?.matchExpressions?.[0]?.values).to.have.members(['system-node-critical', 'system-cluster-critical']);
    });

    it('serves gRPC over TLS from the Secret and probes over HTTP instead', () => {
      const d = r.one<V1Deployment>('Deployment');
      const c = container(d);
      expect(c.livenessProbe?.grpc).to.equal(undefined);
      expect(c.readinessProbe?.httpGet?.path).to.equal('/readyz');
      expect(d.spec?.template.spec?.volumes?.find((v) => v.name === 'grpc-tls')?.secret?.secretName).to.equal('lastgasp-grpc-tls');
      const config = parse(r.one<V1ConfigMap>('ConfigMap', 'lastgasp-collector').data?.['config.yaml'] ?? '') as { grpc: Record<string, string>; policy: { storm: Record<string, number> } };
      expect(Object.keys(config.grpc)).to.have.members(['tlsCert', 'tlsKey', 'clientCa']);
      expect(config.policy.storm['maxNodesPerWindow']).to.equal(2);
    });

    it('uses the image digest and tag given', () => {
      expect(container(r.one<V1DaemonSet>('DaemonSet')).image).to.match(/@sha256:0{64}$/);
      expect(container(r.one<V1Deployment>('Deployment')).image).to.match(/:0\.1\.0-rc\.1$/);
    });

    it('adds the ServiceMonitor, PodMonitor, PrometheusRule and NetworkPolicy', () => {
      for (const kind of ['ServiceMonitor', 'PodMonitor', 'PrometheusRule', 'NetworkPolicy']) expect(r.all(kind), kind).to.have.lengthOf(1);
    });

    it('adds the Grafana dashboard ConfigMap with the sidecar label, and the alert labels to every alert', () => {
      const dashboard = r.one<V1ConfigMap>('ConfigMap', 'lastgasp-dashboard');
      expect(dashboard.metadata?.labels).to.include({ grafana_dashboard: '1' });
      expect(dashboard.metadata?.annotations).to.deep.equal({ grafana_folder: 'Kubernetes' });
      expect((JSON.parse(dashboard.data?.['lastgasp.json'] ?? '{}') as { uid?: string }).uid).to.equal('lastgasp');
      type Rule = { alert: string; expr: string; labels?: Record<string, string>; annotations?: Record<string, string> };
      const rules = r.one<{ kind?: string; spec?: { groups?: { rules: Rule[] }[] } }>('PrometheusRule').spec?.groups?.flatMap((g) => g.rules) ?? [];
      expect(rules).to.have.length.greaterThan(5);
      for (const rule of rules) {
        expect(rule.labels, rule.alert).to.include({ team: 'platform' });
        expect(rule.expr, rule.alert).to.contain('namespace="lastgasp-system"');
        expect(rule.annotations?.['runbook_url'], rule.alert).to.match(/docs\/runbook\.md#lastgasp[a-z]+$/);
      }
    });

    it("labels every scraped series with the pod's Node as `node` (agent: the Node it covers)", () => {
      const relabel = { action: 'replace', sourceLabels: ['__meta_kubernetes_pod_node_name'], targetLabel: 'node' };
      type Monitor = { kind?: string; spec?: { endpoints?: { relabelings?: unknown[] }[]; podMetricsEndpoints?: { relabelings?: unknown[] }[] } };
      expect(r.one<Monitor>('PodMonitor').spec?.podMetricsEndpoints?.[0]?.relabelings).to.deep.include(relabel);
      expect(r.one<Monitor>('ServiceMonitor').spec?.endpoints?.[0]?.relabelings).to.deep.include(relabel);
    });
  });

  it('grpcTls.enabled=false → plaintext, gRPC probes, no certificates', async () => {
    const r = await template(['--set', 'collector.grpcTls.enabled=false']);
    const c = container(r.one<V1Deployment>('Deployment'));
    expect(c.livenessProbe?.grpc).to.deep.equal({ port: 6667, service: '' });
    expect(c.readinessProbe?.grpc).to.deep.equal({ port: 6667, service: '' });
    expect(r.all('Secret')).to.have.lengthOf(0);
    expect(parse(r.one<V1ConfigMap>('ConfigMap').data?.['config.yaml'] ?? '')).to.not.have.property('grpc');
  });

  it('grpcTls.source=cert-manager → two Certificates from the issuer (server names the Service, localhost and extraSans), no Secrets of its own', async () => {
    const r = await template(['--set', 'collector.grpcTls.source=cert-manager', '--set', 'collector.grpcTls.certManager.issuerRef.name=cluster-ca', '--set', 'collector.grpcTls.extraSans={10.1.2.3,collector.example.com}']);
    expect(r.all('Secret')).to.have.lengthOf(0);
    const certs = r.all<{ metadata?: { name?: string }; spec?: Record<string, unknown> }>('Certificate');
    expect(certs.map((x) => x.metadata?.name).sort()).to.deep.equal(['lastgasp-collector-client-tls', 'lastgasp-collector-grpc-tls']);
    const server = certs.find((x) => x.metadata?.name === 'lastgasp-collector-grpc-tls');
    expect(server?.spec?.['dnsNames']).to.include.members(['localhost', 'lastgasp-collector.lastgasp.svc', 'collector.example.com']);
    expect(server?.spec?.['ipAddresses']).to.deep.equal(['127.0.0.1', '::1', '10.1.2.3']);
    expect(server?.spec?.['issuerRef']).to.deep.equal({ name: 'cluster-ca', kind: 'Issuer', group: 'cert-manager.io' });
    expect(server?.spec?.['secretName']).to.equal('lastgasp-collector-grpc-tls');
  });

  it("matches the agent's ServiceAccount by the name it is given", async () => {
    const r = await template(['--set', 'serviceAccount.create=false', '--set', 'agent.serviceAccount.name=node-agent']);
    const expression = r.one<V1ValidatingAdmissionPolicy>('ValidatingAdmissionPolicy').spec?.matchConditions?.[0]?.expression;
    expect(expression).to.equal("request.userInfo.username == 'system:serviceaccount:lastgasp:node-agent'");
    expect(r.one<V1DaemonSet>('DaemonSet').spec?.template.spec?.serviceAccountName).to.equal('node-agent');
  });

  it('leaves the admission policy out with agent.admissionPolicy.enabled=false', async () => {
    const r = await template(['--set', 'agent.admissionPolicy.enabled=false']);
    expect(r.all('ValidatingAdmissionPolicy')).to.be.empty;
    expect(r.all('ValidatingAdmissionPolicyBinding')).to.be.empty;
  });

  it('installs on Kubernetes 1.30 and later, provider builds included, and refuses 1.29', async () => {
    for (const version of ['v1.30.0', 'v1.30.2-eks-1234', 'v1.36.3']) {
      const result = await helm.run(['template', 'lastgasp', CHART, '--kube-version', version]);
      expect(result.code, `${version}: ${result.stderr}`).to.equal(0);
    }
    const old = await helm.run(['template', 'lastgasp', CHART, '--kube-version', 'v1.29.15']);
    expect(old.code).to.not.equal(0);
    expect(old.stderr).to.contain('chart requires kubeVersion: >=1.30.0-0');
  });

  const refusals: Array<{ name: string; args: string[]; message: RegExp }> = [
    { name: 'namespace.create=true into the release namespace', args: ['--set', 'namespace.create=true'], message: /namespace\.create: set namespace\.name/ },
    { name: 'agent.securityMode=root', args: ['--set', 'agent.securityMode=root'], message: /agent[./]securityMode/ },
    { name: 'collector.policy.nodeAction=reboot', args: ['--set', 'collector.policy.nodeAction=reboot'], message: /nodeAction/ },
    { name: 'collector.grpcTls.source=secret without a Secret', args: ['--set', 'collector.grpcTls.source=secret'], message: /collector\.grpcTls\.secretName is required/ },
    { name: 'collector.grpcTls.source=cert-manager without an issuer', args: ['--set', 'collector.grpcTls.source=cert-manager'], message: /collector\.grpcTls\.certManager\.issuerRef\.name is required/ },
    { name: 'collector.grpcTls.source=vault', args: ['--set', 'collector.grpcTls.source=vault'], message: /source/ },
    { name: 'an unknown top-level value', args: ['--set', 'colector.replicas=3'], message: /colector/ },
  ];
  for (const refusal of refusals) {
    it(`refuses ${refusal.name}, naming the value`, async () => {
      const result = await helm.run(['template', 'lastgasp', CHART, '--namespace', 'lastgasp', ...kubeVersionArgs(), ...refusal.args]);
      expect(result.code).to.not.equal(0);
      expect(result.stderr).to.match(refusal.message);
    });
  }
});
