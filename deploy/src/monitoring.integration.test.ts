// The chart's monitoring content against what the binaries really export: a real collector (leader,
// against the real control plane) and a real agent (configfs stand-in, static collector) are started and
// their /metrics scraped; every metric the PrometheusRule's alerts and the Grafana dashboard's queries
// name must be among those samples, and `promtool test rules` runs the rendered alerts over input series
// whose names and label sets are copied from the scrape (values set by each scenario).
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { execFile } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { KubernetesObjectApi, PatchStrategy, type KubernetesObject, type V1ConfigMap } from '@kubernetes/client-node';
import { resolveConfig as resolveAgentConfig, startApp as startAgent, type App as AgentApp } from '@lastgasp/agent';
import { createNode, ensureNamespace, useCluster } from '@lastgasp/testbed/cluster';
import { scrapeMetrics, startCollector, type CollectorProcess } from '@lastgasp/testbed/collector';
import { waitFor } from '@lastgasp/testbed/testing';
import { expect } from 'chai';
import { pino } from 'pino';
import { stringify } from 'yaml';
import { createHelm, kubeVersionArgs } from './helm.js';
import { metricNames, missingMetrics, parseSamples, type Sample } from './prometheus-samples.js';
import { Rendered } from './rendered.js';

const CHART = fileURLToPath(new URL('../helm/lastgasp', import.meta.url));
const CRD = join(CHART, 'crds', 'nodeincidents.lastgasp.dev.yaml');
const NS = 'lastgasp';

interface Rule {
  alert: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

/** The labels Prometheus adds to a scraped series (the monitors' target labels, `node` by relabeling). */
function targetLabels(pod: string, node: string, container: 'collector' | 'agent'): Record<string, string> {
  return { namespace: NS, pod, node, container, job: `${NS}/lastgasp-${container}`, instance: `${pod}:6668` };
}

describe('chart monitoring (PrometheusRule, Grafana dashboard) against real /metrics', function () {
  this.timeout(300_000);
  const cluster = useCluster({ scheduler: false });
  let tmp = '';
  let collector: CollectorProcess | null = null;
  let agent: AgentApp | null = null;
  let collectorSamples: Sample[] = [];
  let agentSamples: Sample[] = [];
  let rules: Rule[] = [];
  let dashboardExprs: string[] = [];
  let promtool = '';
  let monitors: KubernetesObject[] = [];

  before(async function () {
    this.timeout(300_000);
    const c = cluster();
    promtool = c.binaries.promtool;
    tmp = await mkdtemp(join(tmpdir(), 'lastgasp-monitoring-'));
    await c.installCrds([CRD]);
    await createNode(c, 'worker-1');
    collector = await startCollector({
      name: 'monitoring',
      dir: tmp,
      entry: 'source',
      config: {
        kubeconfig: c.kubeconfigPath,
        udpListen: '127.0.0.1:0',
        grpcListen: '127.0.0.1:0',
        httpListen: '127.0.0.1:0',
        identity: 'monitoring',
        leaseNamespace: 'default',
        leaseName: 'lease-monitoring',
        leaderElection: { leaseDurationSeconds: 6, renewDeadlineSeconds: 4, retryPeriodSeconds: 1 },
      },
      startTimeoutMs: 60_000,
    });
    await collector.waitForLog('became leader', 30_000);
    const base = `http://${collector.listeners.http}`;
    collectorSamples = await waitFor('the collector leading and its self-check counted', async () => {
      const s = parseSamples(await scrapeMetrics(base));
      return s.some((x) => x.name === 'lastgasp_leader' && x.value === 1) && s.some((x) => x.name === 'lastgasp_reachability_nodes') ? s : false;
    }, { timeoutMs: 30_000 });

    const root = join(tmp, 'configfs');
    await mkdir(join(root, 'netconsole'), { recursive: true });
    await writeFile(join(root, 'printk'), '7\t4\t1\t7\n');
    const config = resolveAgentConfig(
      {
        kubeconfig: c.kubeconfigPath,
        nodeName: 'worker-1',
        staticCollectors: '127.0.0.9:6666',
        configfsRoot: root,
        httpListen: '127.0.0.1:0',
        kmsgPath: join(root, 'kmsg'),
        printkPath: join(root, 'printk'),
        ipMonitor: false,
      },
      { POD_NAMESPACE: NS },
    );
    agent = await startAgent(config, { logger: pino({ level: process.env['LASTGASP_TEST_LOG'] ?? 'silent' }) });
    const agentBase = `http://127.0.0.1:${agent.httpPort}`;
    agentSamples = await waitFor('the agent armed', async () => {
      const s = parseSamples(await scrapeMetrics(agentBase));
      return s.some((x) => x.name === 'lastgasp_agent_ready' && x.value === 1) ? s : false;
    }, { timeoutMs: 30_000 });

    const helm = createHelm({ binary: c.binaries.helm, home: join(tmp, 'helm') });
    const rendered = Rendered.parse(
      await helm.ok([
        'template', 'lastgasp', CHART, '--namespace', NS, ...kubeVersionArgs(),
        '--set', 'serviceMonitor.enabled=true', '--set', 'prometheusRule.enabled=true', '--set', 'grafanaDashboard.enabled=true',
      ]),
    );
    monitors = ['ServiceMonitor', 'PodMonitor', 'PrometheusRule'].map((kind) => rendered.one(kind));
    rules = rendered.one<{ kind?: string; spec?: { groups?: { rules: Rule[] }[] } }>('PrometheusRule').spec?.groups?.flatMap((g) => g.rules) ?? [];
    const dashboard = JSON.parse(rendered.one<V1ConfigMap>('ConfigMap', 'lastgasp-dashboard').data?.['lastgasp.json'] ?? '{}') as { panels?: { targets?: { expr?: string }[] }[] };
    dashboardExprs = (dashboard.panels ?? []).flatMap((p) => (p.targets ?? []).map((t) => t.expr ?? '')).filter((e) => e !== '');
  });
  after(async () => {
    await agent?.stop();
    await collector?.stop();
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  it("the ServiceMonitor, PodMonitor and PrometheusRule are accepted by the Prometheus Operator's CRDs as rendered (nothing pruned)", async () => {
    const c = cluster();
    await c.installCrds(c.binaries.monitoringCrds);
    await ensureNamespace(c, NS);
    const client = KubernetesObjectApi.makeApiClient(c.kubeConfig);
    for (const object of monitors) {
      await client.patch(object, undefined, undefined, 'lastgasp-tests', true, PatchStrategy.ServerSideApply);
      const stored = await client.read<KubernetesObject & { spec?: unknown }>({ apiVersion: object.apiVersion ?? '', kind: object.kind ?? '', metadata: { name: object.metadata?.name ?? '', namespace: NS } });
      expect(stored.spec, `${object.kind ?? ''} as stored`).to.deep.equal((object as KubernetesObject & { spec?: unknown }).spec);
    }
  });

  it('every metric the alerts use is exported by the collector or the agent', () => {
    expect(rules.map((r) => r.alert)).to.include.members(['LastGaspNodeNotArmed', 'LastGaspNoLeader', 'LastGaspMultipleLeaders', 'LastGaspRefuted', 'LastGaspRemediationFailed']);
    const names = metricNames(rules.map((r) => r.expr));
    expect(names).to.include.members(['lastgasp_agent_ready', 'lastgasp_leader', 'lastgasp_incidents_total', 'lastgasp_agent_panic_reboot_suppresses_last_gasp']);
    expect(missingMetrics(names, [...collectorSamples, ...agentSamples])).to.deep.equal([]);
  });

  it("every metric the dashboard's queries use is exported by the collector or the agent", () => {
    expect(dashboardExprs.length).to.be.greaterThan(10);
    const names = metricNames(dashboardExprs);
    expect(names).to.include.members(['lastgasp_agent_ready', 'lastgasp_remediation_duration_seconds_bucket', 'lastgasp_datagrams_received_total']);
    expect(missingMetrics(names, [...collectorSamples, ...agentSamples])).to.deep.equal([]);
    // The check can fail: a name no binary exports is reported.
    expect(missingMetrics(['lastgasp_no_such_metric_total'], collectorSamples)).to.deep.equal(['lastgasp_no_such_metric_total']);
  });

  it('promtool test rules: each alert fires on its scenario and stays quiet on a healthy fleet', async () => {
    /** A series copied from the scrape: the sample of `name` whose labels include `labels`, on a target. */
    const series = (from: Sample[], target: Record<string, string>, name: string, labels: Record<string, string>, values: string) => {
      const sample = from.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
      if (sample === undefined) throw new Error(`/metrics has no ${name}${JSON.stringify(labels)}`);
      const all = { ...sample.labels, ...target };
      return { series: `${name}{${Object.entries(all).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(',')}}`, values };
    };
    const podA = targetLabels('lastgasp-collector-a', 'worker-1', 'collector');
    const podB = targetLabels('lastgasp-collector-b', 'worker-2', 'collector');
    const col = (target: Record<string, string>, name: string, labels: Record<string, string>, values: string) => series(collectorSamples, target, name, labels, values);
    const agt = (node: string, values: string) => series(agentSamples, targetLabels(`lastgasp-agent-${node}`, node, 'agent'), 'lastgasp_agent_ready', {}, values);
    /** A healthy pair of collectors and two armed nodes: one leader, nothing counted. */
    const healthy = (minutes: number, except: string[] = []) =>
      [
        col(podA, 'lastgasp_leader', {}, `1x${minutes}`),
        col(podB, 'lastgasp_leader', {}, `0x${minutes}`),
        agt('worker-1', `1x${minutes}`),
        agt('worker-2', `1x${minutes}`),
        col(podA, 'lastgasp_reachability_nodes', { state: 'silent' }, `0x${minutes}`),
      ].filter((s) => !except.some((e) => s.series.startsWith(e)));
    const alert = (name: string, labels: Record<string, string>) => {
      const rule = rules.find((r) => r.alert === name);
      if (rule === undefined) throw new Error(`no alert ${name}`);
      return { exp_labels: { ...labels, ...rule.labels }, exp_annotations: { runbook_url: rule.annotations?.['runbook_url'] ?? '' } };
    };
    const quiet = (at: string, names = rules.map((r) => r.alert)) => names.map((alertname) => ({ eval_time: at, alertname, exp_alerts: [] }));
    const ns = { namespace: NS };
    const tests = [
      { name: 'healthy fleet', interval: '1m', input_series: healthy(60), alert_rule_test: quiet('45m') },
      {
        name: 'a node not armed',
        interval: '1m',
        input_series: [...healthy(40, ['lastgasp_agent_ready{']), agt('worker-1', '1x40'), agt('worker-2', '0x40')],
        alert_rule_test: [
          { eval_time: '10m', alertname: 'LastGaspNodeNotArmed', exp_alerts: [] },
          { eval_time: '20m', alertname: 'LastGaspNodeNotArmed', exp_alerts: [alert('LastGaspNodeNotArmed', { ...ns, node: 'worker-2' })] },
        ],
      },
      {
        name: "a node whose kernel reboots before its panic is sent (nbcon, kernel.panic=10)",
        interval: '1m',
        input_series: [
          ...healthy(40),
          series(agentSamples, targetLabels('lastgasp-agent-worker-1', 'worker-1', 'agent'), 'lastgasp_agent_panic_reboot_suppresses_last_gasp', {}, '0x40'),
          series(agentSamples, targetLabels('lastgasp-agent-worker-2', 'worker-2', 'agent'), 'lastgasp_agent_panic_reboot_suppresses_last_gasp', {}, '1x40'),
        ],
        alert_rule_test: [
          { eval_time: '10m', alertname: 'LastGaspPanicLineSuppressed', exp_alerts: [] },
          { eval_time: '20m', alertname: 'LastGaspPanicLineSuppressed', exp_alerts: [alert('LastGaspPanicLineSuppressed', { ...ns, node: 'worker-2' })] },
          { eval_time: '20m', alertname: 'LastGaspNodeNotArmed', exp_alerts: [] },
        ],
      },
      {
        name: 'no leader, then no collector at all',
        interval: '1m',
        input_series: [col(podA, 'lastgasp_leader', {}, '0x10 _x20'), col(podB, 'lastgasp_leader', {}, '0x10 _x20'), agt('worker-1', '1x30')],
        alert_rule_test: [
          { eval_time: '3m', alertname: 'LastGaspNoLeader', exp_alerts: [] },
          { eval_time: '8m', alertname: 'LastGaspNoLeader', exp_alerts: [alert('LastGaspNoLeader', ns)] },
          { eval_time: '28m', alertname: 'LastGaspNoLeader', exp_alerts: [alert('LastGaspNoLeader', ns)] },
        ],
      },
      {
        name: 'two leaders',
        interval: '1m',
        input_series: [...healthy(20, ['lastgasp_leader{']), col(podA, 'lastgasp_leader', {}, '1x20'), col(podB, 'lastgasp_leader', {}, '1x20')],
        alert_rule_test: [{ eval_time: '5m', alertname: 'LastGaspMultipleLeaders', exp_alerts: [alert('LastGaspMultipleLeaders', ns)] }],
      },
      {
        name: 'a panic seen by both collectors; an OOM kill is no fatal incident',
        interval: '1m',
        input_series: [
          ...healthy(30),
          col(podA, 'lastgasp_incidents_total', { kind: 'KernelPanic', fatal: 'true' }, '0x5 1x25'),
          col(podB, 'lastgasp_incidents_total', { kind: 'KernelPanic', fatal: 'true' }, '0x5 1x25'),
          col(podA, 'lastgasp_incidents_total', { kind: 'OOMKilling', fatal: 'false' }, '0+3x30'),
        ],
        alert_rule_test: [
          { eval_time: '4m', alertname: 'LastGaspFatalIncident', exp_alerts: [] },
          { eval_time: '8m', alertname: 'LastGaspFatalIncident', exp_alerts: [alert('LastGaspFatalIncident', { ...ns, kind: 'KernelPanic' })] },
          { eval_time: '29m', alertname: 'LastGaspFatalIncident', exp_alerts: [] },
        ],
      },
      {
        name: 'held by the storm limit; a dry run is not an alert',
        interval: '1m',
        input_series: [
          ...healthy(30),
          col(podA, 'lastgasp_incidents_held_total', { reason: 'StormLimit' }, '0x5 2x25'),
          col(podA, 'lastgasp_incidents_held_total', { reason: 'DryRun' }, '0+1x30'),
        ],
        alert_rule_test: [{ eval_time: '10m', alertname: 'LastGaspIncidentsHeld', exp_alerts: [alert('LastGaspIncidentsHeld', { ...ns, reason: 'StormLimit' })] }],
      },
      {
        name: 'a refuted (possibly forged) last gasp',
        interval: '1m',
        input_series: [...healthy(30), col(podA, 'lastgasp_incidents_refuted_total', { recorded: 'true' }, '0x5 1x25')],
        alert_rule_test: [
          { eval_time: '4m', alertname: 'LastGaspRefuted', exp_alerts: [] },
          { eval_time: '10m', alertname: 'LastGaspRefuted', exp_alerts: [alert('LastGaspRefuted', ns)] },
        ],
      },
      {
        name: 'datagrams dropped on a full queue; duplicate fragments are no loss',
        interval: '1m',
        input_series: [
          ...healthy(40),
          col(podB, 'lastgasp_datagrams_queue_dropped_total', {}, '0+50x40'),
          col(podB, 'lastgasp_fragments_dropped_total', { reason: 'fragment-expired' }, '0x40'),
          col(podA, 'lastgasp_datagrams_queue_dropped_total', {}, '0x40'),
          col(podA, 'lastgasp_fragments_dropped_total', { reason: 'fragment-expired' }, '0x40'),
          col(podA, 'lastgasp_fragments_dropped_total', { reason: 'fragment-duplicate' }, '0+5x40'),
        ],
        alert_rule_test: [
          { eval_time: '8m', alertname: 'LastGaspDatagramsLost', exp_alerts: [] },
          { eval_time: '25m', alertname: 'LastGaspDatagramsLost', exp_alerts: [alert('LastGaspDatagramsLost', { ...ns, pod: 'lastgasp-collector-b' })] },
        ],
      },
      {
        name: 'a remediation failed',
        interval: '1m',
        input_series: [...healthy(30), col(podA, 'lastgasp_incident_outcomes_total', { phase: 'Failed' }, '0x5 1x25'), col(podA, 'lastgasp_incident_outcomes_total', { phase: 'Remediated' }, '0+1x30')],
        alert_rule_test: [{ eval_time: '10m', alertname: 'LastGaspRemediationFailed', exp_alerts: [alert('LastGaspRemediationFailed', ns)] }],
      },
      {
        name: 'nodes the collector cannot reach',
        interval: '1m',
        input_series: [...healthy(60, ['lastgasp_reachability_nodes{']), col(podA, 'lastgasp_reachability_nodes', { state: 'silent' }, '2x60')],
        alert_rule_test: [
          { eval_time: '20m', alertname: 'LastGaspNodesUnreachable', exp_alerts: [] },
          { eval_time: '40m', alertname: 'LastGaspNodesUnreachable', exp_alerts: [alert('LastGaspNodesUnreachable', ns)] },
        ],
      },
    ];
    // promtool compares annotations exactly: the tests keep runbook_url (each alert's own anchor) and
    // `promtool check rules` checks the full file, summary and description templates included.
    const full = join(tmp, 'rules.yaml');
    const tested = join(tmp, 'rules-tested.yaml');
    await writeFile(full, stringify({ groups: [{ name: 'lastgasp', rules }] }));
    await writeFile(tested, stringify({ groups: [{ name: 'lastgasp', rules: rules.map((r) => ({ ...r, annotations: { runbook_url: r.annotations?.['runbook_url'] ?? '' } })) }] }));
    const testFile = join(tmp, 'rules.test.yaml');
    await writeFile(testFile, stringify({ rule_files: [tested], evaluation_interval: '1m', tests }));
    const check = await run(promtool, ['check', 'rules', full]);
    expect(check.code, check.output).to.equal(0);
    const result = await run(promtool, ['test', 'rules', testFile]);
    expect(result.code, result.output).to.equal(0);
    expect(result.output).to.contain('SUCCESS');
    // Every alert has a scenario in which it fires.
    const fired = new Set(tests.flatMap((t) => t.alert_rule_test.filter((a) => a.exp_alerts.length > 0).map((a) => a.alertname)));
    expect([...fired].sort()).to.deep.equal(rules.map((r) => r.alert).sort());
  });
});

function run(binary: string, args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    execFile(binary, args, { timeout: 120_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : null) : 0, output: `${stdout}${stderr}` });
    });
  });
}
