// "The world" of the end-to-end scenarios and the demo, brought up in one place: a real control plane
// on the host, a guest kernel under QEMU in a network namespace, a bridge that lets the namespace and
// the guest reach the apiserver, collector replicas in the namespace on host-side TAP addresses, the
// collector Service with a hand-written EndpointSlice, the chart's RBAC, a kwok-managed Node whose
// InternalIP is the guest's address, and the real agent running inside the guest.
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CoordinationV1Api, CoreV1Api, DiscoveryV1Api, type V1EndpointSlice, type V1NodeCondition } from '@kubernetes/client-node';
import { DEFAULT_ANNOTATION_PREFIX } from '@lastgasp/proto/contract';
import { applyManifest, createNode, ensureNamespace, readVersions, startCluster, type Cluster } from '@lastgasp/testbed/cluster';
import { waitFor } from '@lastgasp/testbed/testing';
import { bootGuest, type Guest, type KernelId } from '@lastgasp/testbed/kernel';
import { bundleAgent } from './agent-bundle.js';
import { startApiBridge, type ApiBridge } from './api-bridge.js';
import type { CollectorProcess } from '../collector/index.js';
import { NETCONSOLE_PORT, startCollectorInNetns } from './collector-replica.js';
import { startGuestAgent, type GuestAgent } from './guest-agent.js';
import { rehomeKubeconfig } from './kubeconfigs.js';
import { nodeFromSource, runNodeInNetns, type RunResult } from './netns-process.js';
import { startNodeEgressProxy, type NodeEgressProxy } from './node-egress.js';
import { CLI_MAIN, CRD_PATH, REPO_ROOT } from './paths.js';

export const NAMESPACE = 'lastgasp';
export const SERVICE = 'lastgasp-collector';
export const SLICE = 'lastgasp-collector-e2e';
/** The collectors here run with the default annotation prefix. */
export const ANNOTATION_PREFIX = DEFAULT_ANNOTATION_PREFIX;
/** Host-side TAP addresses: one per possible collector replica. */
export const HOST_ADDRESSES = ['10.77.0.1', '10.77.0.11', '10.77.0.12'] as const;
export const GUEST_ADDRESS = '10.77.0.2';
const PREFIX_LENGTH = 24;
/** The apiserver as seen inside the namespace (any address there) and from the guest. */
export const BRIDGE_PORT = 6443;
const CHART = join(REPO_ROOT, 'deploy', 'helm', 'lastgasp');
const CHART_RBAC = ['templates/serviceaccounts.yaml', 'templates/agent-rbac.yaml', 'templates/collector-rbac.yaml'];

export interface WorldOptions {
  /** Name of the guest's Node. */
  nodeName: string;
  /** Progress lines (and the guest's console, prefixed `[console]`, when `console` is set). */
  log?: (line: string) => void;
  console?: boolean;
  /** Run kube-scheduler (the demo's Deployment and Job need it). Default false. */
  scheduler?: boolean;
  /** kwok Stages replacing upstream ones (see kwok-stages.ts). */
  kwokStages?: string;
  /** vCPUs of the guest (default 1). With 2, the other CPU runs on while the panicking one sends its last gasp. */
  cpus?: number;
  /** Collector settings merged over the scenario defaults (collector-replica.ts) for every replica. */
  collectorConfig?: Record<string, unknown>;
  /** The guest's kernel line (default env LASTGASP_KERNEL, else 6.1). */
  kernel?: KernelId;
  /** The guest kernel's `panic=` (default -1: reboot at once, which ends QEMU). */
  panicTimeoutSeconds?: number;
  /**
   * The guest becomes a real Node (its own kubelet registers it, see real-node.ts): no kwok Node for
   * it, and the apiserver reaches its kubelet (port-forward, logs) through node-egress.ts.
   */
  realNode?: boolean;
  /** Guest memory (default 1024 MiB). */
  memoryMiB?: number;
  /**
   * The chart is installed by the scenario (helm install): no RBAC, Service or ServiceAccounts made up
   * front (they would collide with the release's); the EndpointSlice for host-side collectors stays.
   */
  chartInstalled?: boolean;
}

export interface World {
  cluster: Cluster;
  vm: Guest;
  nodeName: string;
  dir: string;
  /** ms since the epoch when the guest's boot began. */
  bootStartedAt: number;
  collectors: CollectorProcess[];
  agent: GuestAgent | null;
  /** Starts a collector replica on one of HOST_ADDRESSES; `identity` names it; `image`: run that local collector image. */
  startCollector(hostAddress: string, identity: string, options?: { image?: string }): Promise<CollectorProcess>;
  /** Replaces the EndpointSlice's endpoints (all ready) with these addresses. */
  setSliceAddresses(addresses: readonly string[]): Promise<void>;
  startAgent(onLine?: (line: string) => void, extraArgs?: string[]): GuestAgent;
  /** Resolves with the agent's Node condition once it is True and names every address given. */
  waitArmed(addresses: readonly string[], timeoutMs: number): Promise<V1NodeCondition>;
  /** Resolves with the agent's Node condition once `accept` takes it. */
  waitCondition(description: string, accept: (c: V1NodeCondition) => boolean, timeoutMs: number): Promise<V1NodeCondition>;
  /** holderIdentity of the collectors' leader Lease, or null. */
  leader(): Promise<string | null>;
  /** The `lastgasp` CLI as a process in the namespace, against `collector`'s gRPC address. */
  cli(collector: CollectorProcess, args: string[]): Promise<RunResult>;
  /** Logs of everything started, for a failure report. */
  diagnostics(): string;
  stop(): Promise<void>;
}

const run = promisify(execFile);

/** The last `count` lines, each cut to 400 characters (a logged TLS error carries whole certificates). */
function clipLines(lines: readonly string[], count: number): string {
  return lines
    .slice(-count)
    .map((l) => (l.length > 400 ? `${l.slice(0, 400)}…` : l))
    .join('\n');
}

async function renderChartRbac(helm: string): Promise<string> {
  // The chart's kubeVersion is checked against --kube-version (helm built from Go modules assumes 1.20).
  const args = ['template', 'lastgasp', CHART, '--namespace', NAMESPACE, '--kube-version', readVersions().kubernetes, ...CHART_RBAC.flatMap((t) => ['--show-only', t])];
  const { stdout } = await run(helm, args, { maxBuffer: 16 * 1024 * 1024 });
  return stdout;
}

function sliceBody(addresses: readonly string[]): V1EndpointSlice {
  return {
    metadata: {
      name: SLICE,
      namespace: NAMESPACE,
      labels: { 'kubernetes.io/service-name': SERVICE, 'endpointslice.kubernetes.io/managed-by': 'lastgasp-e2e' },
    },
    addressType: 'IPv4',
    ports: [{ name: 'netconsole', port: NETCONSOLE_PORT, protocol: 'UDP' }],
    endpoints: addresses.map((ip) => ({ addresses: [ip], conditions: { ready: true } })),
  };
}

/** Service, EndpointSlice, CRD, the chart's RBAC and the guest's Node (what the chart is not installing). */
async function prepareApi(cluster: Cluster, nodeName: string, netns: string, o: WorldOptions): Promise<void> {
  await ensureNamespace(cluster, NAMESPACE);
  if (o.chartInstalled !== true) {
    await cluster.installCrds([CRD_PATH]);
    await applyManifest(cluster, await renderChartRbac(cluster.binaries.helm));
    const core = cluster.kubeConfig.makeApiClient(CoreV1Api);
    await core.createNamespacedService({
      namespace: NAMESPACE,
      body: { metadata: { name: SERVICE }, spec: { clusterIP: 'None', ports: [{ name: 'netconsole', port: NETCONSOLE_PORT, protocol: 'UDP' }] } },
    });
  }
  await cluster.kubeConfig.makeApiClient(DiscoveryV1Api).createNamespacedEndpointSlice({ namespace: NAMESPACE, body: sliceBody([]) });
  // The collector runs in the guest's namespace: the Node's address must stay local there.
  if (o.realNode !== true) {
    await createNode(cluster, nodeName, { addresses: [{ type: 'InternalIP', address: GUEST_ADDRESS }, { type: 'Hostname', address: nodeName }], netns });
  }
}

async function settle(promises: [Promise<Cluster>, Promise<Guest>], cleanup: (c: Cluster | null, g: Guest | null) => Promise<void>): Promise<[Cluster, Guest]> {
  const [c, g] = await Promise.allSettled(promises);
  if (c.status === 'fulfilled' && g.status === 'fulfilled') return [c.value, g.value];
  await cleanup(c.status === 'fulfilled' ? c.value : null, g.status === 'fulfilled' ? g.value : null);
  throw c.status === 'rejected' ? c.reason : g.status === 'rejected' ? g.reason : new Error('unreachable');
}

/** Starts the control plane and boots the guest side by side, then wires them; everything is removed on failure. */
export async function bringUpWorld(o: WorldOptions): Promise<World> {
  const log = o.log ?? (() => undefined);
  const dir = await mkdtemp(join(tmpdir(), 'lastgasp-e2e-'));
  const bundleStart = Date.now();
  const agentBundle = await bundleAgent().catch(async (err: unknown) => {
    await rm(dir, { recursive: true, force: true });
    throw err;
  });
  log(`agent bundled from source in ${Date.now() - bundleStart} ms`);
  const bootStartedAt = Date.now();
  const nodeEgressSocket = o.realNode === true ? join(dir, 'node-egress.sock') : undefined;
  const [cluster, vm] = await settle(
    [
      startCluster({ log: (l) => log(`[cluster] ${l}`), scheduler: o.scheduler ?? false, servingIps: [HOST_ADDRESSES[0]], kwokStages: o.kwokStages, nodeEgressSocket }),
      bootGuest({
        kernel: o.kernel,
        panicTimeoutSeconds: o.panicTimeoutSeconds,
        hostAddresses: HOST_ADDRESSES.map((a) => `${a}/${PREFIX_LENGTH}`),
        guestAddress: `${GUEST_ADDRESS}/${PREFIX_LENGTH}`,
        memoryMiB: o.memoryMiB ?? 1024,
        cpus: o.cpus ?? 1,
        log: (l) => {
          if (o.console === true || !l.startsWith('[console]')) log(`[guest] ${l}`);
        },
      }),
    ],
    async (c, g) => {
      await g?.stop();
      await c?.stop();
      await agentBundle.remove();
      await rm(dir, { recursive: true, force: true });
    },
  );
  const collectors: CollectorProcess[] = [];
  let bridge: ApiBridge | null = null;
  let egress: NodeEgressProxy | null = null;
  let agent: GuestAgent | null = null;
  const stop = async (): Promise<void> => {
    await agent?.stop().catch(() => undefined);
    for (const c of collectors) await c.stop().catch(() => undefined);
    await bridge?.close().catch(() => undefined);
    await egress?.close().catch(() => undefined);
    await vm.stop();
    await cluster.stop();
    await agentBundle.remove();
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await prepareApi(cluster, o.nodeName, vm.netns, o);
    bridge = await startApiBridge({ server: cluster.server, netns: vm.network, dir, port: BRIDGE_PORT });
    if (nodeEgressSocket !== undefined) {
      egress = await startNodeEgressProxy({ netns: vm.network, socketPath: nodeEgressSocket, allowed: [GUEST_ADDRESS], logPath: join(dir, 'node-egress.log') });
    }
    // Made on first use: with the chart installed by the scenario, its ServiceAccounts exist only then.
    const collectorKubeconfig = async () =>
      rehomeKubeconfig(await cluster.serviceAccountKubeconfig(NAMESPACE, 'lastgasp-collector'), `https://127.0.0.1:${BRIDGE_PORT}`);
    const agentKubeconfig =
      o.chartInstalled === true
        ? null
        : rehomeKubeconfig(await cluster.serviceAccountKubeconfig(NAMESPACE, 'lastgasp-agent'), `https://${HOST_ADDRESSES[0]}:${BRIDGE_PORT}`);
    log(`control plane and guest up after ${Date.now() - bootStartedAt} ms (guest boot ${vm.bootMs} ms, ${vm.accel})`);
    const world: World = {
      cluster,
      vm,
      nodeName: o.nodeName,
      dir,
      bootStartedAt,
      collectors,
      get agent() {
        return agent;
      },
      async startCollector(hostAddress, identity, options) {
        const index = collectors.length;
        const c = await startCollectorInNetns({
          netns: vm.network,
          identity,
          udpHost: hostAddress,
          grpcPort: 6667 + index * 10,
          httpPort: 6668 + index * 10,
          kubeconfigText: await collectorKubeconfig(),
          leaseNamespace: NAMESPACE,
          dir,
          config: o.collectorConfig,
          image: options?.image,
        });
        collectors.push(c);
        log(`collector ${identity}${options?.image === undefined ? '' : ` (image ${options.image})`} listening on ${hostAddress}:${NETCONSOLE_PORT}`);
        return c;
      },
      async setSliceAddresses(addresses) {
        await cluster.kubeConfig
          .makeApiClient(DiscoveryV1Api)
          .replaceNamespacedEndpointSlice({ name: SLICE, namespace: NAMESPACE, body: sliceBody(addresses) });
      },
      startAgent(onLine, extraArgs) {
        if (agentKubeconfig === null) throw new Error('the chart runs the agent in this world (chartInstalled)');
        agent = startGuestAgent(
          vm,
          {
            entry: agentBundle.path,
            nodeName: o.nodeName,
            collectorNamespace: NAMESPACE,
            collectorService: SERVICE,
            kubeconfigText: agentKubeconfig,
            extraArgs,
          },
          onLine,
        );
        return agent;
      },
      async waitCondition(description, accept, timeoutMs) {
        const core = cluster.kubeConfig.makeApiClient(CoreV1Api);
        const read = async (): Promise<V1NodeCondition | undefined> =>
          (await core.readNode({ name: o.nodeName })).status?.conditions?.find((c) => c.type === 'LastGaspReady');
        return waitFor(
          description,
          async () => {
            const c = await read();
            return c !== undefined && accept(c) ? c : false;
          },
          { timeoutMs, intervalMs: 200, describe: async () => `${JSON.stringify(await read())}; agent output:\n${clipLines(agent?.lines() ?? [], 20)}` },
        );
      },
      async waitArmed(addresses, timeoutMs) {
        const core = cluster.kubeConfig.makeApiClient(CoreV1Api);
        const read = async (): Promise<V1NodeCondition | undefined> =>
          (await core.readNode({ name: o.nodeName })).status?.conditions?.find((c) => c.type === 'LastGaspReady');
        return waitFor(
          `LastGaspReady True on ${o.nodeName} naming ${addresses.join(', ')}`,
          async () => {
            const c = await read();
            return c?.status === 'True' && addresses.every((a) => c.message?.includes(`${a}:`)) ? c : false;
          },
          {
            timeoutMs,
            intervalMs: 200,
            describe: async () => `${JSON.stringify(await read())}; agent output:\n${clipLines(agent?.lines() ?? [], 20)}`,
          },
        );
      },
      async leader() {
        try {
          const lease = await cluster.kubeConfig
            .makeApiClient(CoordinationV1Api)
            .readNamespacedLease({ name: 'lastgasp-collector', namespace: NAMESPACE });
          return lease.spec?.holderIdentity ?? null;
        } catch {
          return null;
        }
      },
      cli: (collector, args) => runNodeInNetns(vm.network, [...nodeFromSource(CLI_MAIN), '--server', collector.listeners.grpc, ...args], 120_000),
      diagnostics() {
        const parts = collectors.map((c) => `--- collector ${c.name} (${c.logPath}) ---\n${c.logTail(40)}`);
        parts.push(`--- agent in the guest ---\n${clipLines(agent?.lines() ?? [], 40)}`);
        if (egress !== null) parts.push(`--- apiserver → kubelet proxy ---\n${egress.logTail()}`);
        return parts.join('\n');
      },
      stop,
    };
    return world;
  } catch (err) {
    await stop();
    throw err;
  }
}
