// Experiment behind the benchmark's profile: the collector's per-pod API calls (annotate, fail with
// DisruptionTarget, Event, delete with grace 0) for `--pods` pods, `--concurrency` at a time, made with
// @kubernetes/client-node as configured by `makeApiClient` (a new https.Agent, so a new TLS context
// and handshake, per call) and with one shared keep-alive agent. Reports wall time and this process's
// CPU time per variant, alternating the variants to spread the machine's load evenly.
//
//   npx tsx --conditions=lastgasp-source bench/remediate/agent-reuse.ts [--pods 110 --concurrency 16 --rounds 2]
import { parseArgs } from 'node:util';
import {
  CoreV1Api,
  EventsV1Api,
  PatchStrategy,
  ServerConfiguration,
  V1MicroTime,
  createConfiguration,
  setHeaderOptions,
  type KubeConfig,
  type RequestContext,
  type SecurityAuthentication,
} from '@kubernetes/client-node';
import { annotationKey, DEFAULT_ANNOTATION_PREFIX } from '@lastgasp/proto/contract';
import { ensureNamespace, startCluster } from '@lastgasp/testbed/cluster';
import { inParallel } from './run-rep.js';
import { SharedAgent } from './shared-agent.js';

const NAMESPACE = 'agent-reuse';
const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const strategic = setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch);

function log(line: string): void {
  process.stderr.write(`[agent-reuse] ${line}\n`);
}

/** Authentication that lets the KubeConfig do its work, then swaps in one shared keep-alive agent. */
class SharedAgentAuth implements SecurityAuthentication {
  private readonly shared = new SharedAgent();
  constructor(private readonly kc: KubeConfig) {}
  getName(): string {
    return 'shared-keep-alive-agent';
  }
  async applySecurityAuthentication(context: RequestContext): Promise<void> {
    await this.kc.applySecurityAuthentication(context);
    this.shared.adopt(context);
  }
}

interface Clients {
  core: CoreV1Api;
  events: EventsV1Api;
}

function defaultClients(kc: KubeConfig): Clients {
  return { core: kc.makeApiClient(CoreV1Api), events: kc.makeApiClient(EventsV1Api) };
}

function sharedAgentClients(kc: KubeConfig): Clients {
  const server = kc.getCurrentCluster()?.server;
  if (server === undefined) throw new Error('the kubeconfig names no cluster');
  const config = createConfiguration({ baseServer: new ServerConfiguration(server, {}), authMethods: { default: new SharedAgentAuth(kc) } });
  return { core: new CoreV1Api(config), events: new EventsV1Api(config) };
}

async function podSteps(c: Clients, name: string): Promise<void> {
  await c.core.patchNamespacedPod({ name, namespace: NAMESPACE, body: { metadata: { annotations: { [annotationKey(DEFAULT_ANNOTATION_PREFIX, 'reason-code')]: 'KernelPanic' } } } }, merge);
  await c.core.patchNamespacedPodStatus(
    { name, namespace: NAMESPACE, body: { status: { phase: 'Failed', conditions: [{ type: 'DisruptionTarget', status: 'True', reason: 'KernelPanic', message: 'experiment', lastTransitionTime: new Date().toISOString() }] } } },
    strategic,
  );
  await c.events.createNamespacedEvent({
    namespace: NAMESPACE,
    body: {
      metadata: { generateName: `${name}-` },
      eventTime: new V1MicroTime(Date.now()),
      reportingController: 'lastgasp.dev/agent-reuse',
      reportingInstance: 'experiment',
      action: 'Terminate',
      reason: 'KernelPanic',
      type: 'Warning',
      note: 'experiment',
      regarding: { apiVersion: 'v1', kind: 'Pod', name, namespace: NAMESPACE },
    },
  });
  await c.core.deleteNamespacedPod({ name, namespace: NAMESPACE, gracePeriodSeconds: 0 });
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { pods: { type: 'string' }, concurrency: { type: 'string' }, rounds: { type: 'string' } }, strict: true });
  const pods = Number(values.pods ?? 110);
  const concurrency = Number(values.concurrency ?? 16);
  const rounds = Number(values.rounds ?? 2);
  const cluster = await startCluster({ controllerManager: false, scheduler: false, kwok: false, log: (l) => log(`cluster: ${l}`) });
  try {
    const kc = cluster.kubeConfig;
    await ensureNamespace(cluster, NAMESPACE);
    const setup = sharedAgentClients(kc);
    const variants: [string, Clients][] = [
      ['client-node default (agent per call)', defaultClients(kc)],
      ['one shared keep-alive agent', sharedAgentClients(kc)],
    ];
    const results = new Map<string, { wallMs: number; cpuMs: number }[]>();
    for (let round = 1; round <= rounds; round++) {
      for (const [label, clients] of variants) {
        const names = Array.from({ length: pods }, (_, i) => `p${round}-${i}`);
        await inParallel(names, concurrency, (name) =>
          setup.core.createNamespacedPod({ namespace: NAMESPACE, body: { metadata: { name }, spec: { nodeName: 'absent', containers: [{ name: 'main', image: 'registry.invalid/x:1' }] } } }),
        );
        const cpu0 = process.cpuUsage();
        const t0 = performance.now();
        await inParallel(names, concurrency, (name) => podSteps(clients, name));
        const wallMs = performance.now() - t0;
        const cpu = process.cpuUsage(cpu0);
        const cpuMs = (cpu.user + cpu.system) / 1000;
        results.set(label, [...(results.get(label) ?? []), { wallMs, cpuMs }]);
        log(`round ${round}, ${label}: ${pods} pods × 4 calls in ${wallMs.toFixed(0)} ms wall, ${cpuMs.toFixed(0)} ms CPU in this process`);
      }
    }
    for (const [label, rs] of results) {
      const wall = rs.map((r) => r.wallMs).sort((a, b) => a - b)[Math.floor(rs.length / 2)] ?? NaN;
      const cpu = rs.map((r) => r.cpuMs).sort((a, b) => a - b)[Math.floor(rs.length / 2)] ?? NaN;
      log(`${label}: median ${wall.toFixed(0)} ms wall, ${cpu.toFixed(0)} ms CPU (${(cpu / (pods * 4)).toFixed(1)} ms CPU per call)`);
    }
  } finally {
    await cluster.stop();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`[agent-reuse] failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
