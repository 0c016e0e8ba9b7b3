// Wires the agent's stages in data-flow order — discovery → next hops → configfs → status — and stops
// them in reverse. All I/O edges can be swapped (configfs, `ip`, commands) for tests.
import { readFile } from 'node:fs/promises';
import type { PanicLineState } from '@lastgasp/proto/contract';
import type { Logger } from 'pino';
import { createCanaryWriter } from './canary/canary-writer.js';
import type { AgentConfig } from './config/config.js';
import { createNodeConfigfsFs, type ConfigfsFs } from './configfs/configfs-fs.js';
import { prepareConfigfs } from './configfs/prepare-configfs.js';
import { normaliseEndpoints } from './discover/parse-endpoint.js';
import { watchEndpoints, type EndpointWatch } from './discover/watch-endpoints.js';
import { createKubeClient, type KubeClient } from './kube/kube-client.js';
import { loadInCluster, loadKubeconfigFile } from './kube/kube-config.js';
import { startHttpServer, type HttpServer } from './http.js';
import { decideOnShutdown, readOwnDaemonSet, startupCheckOf, type ShutdownDecision, type StartupCheck } from './lifecycle.js';
import { createMetrics } from './metrics.js';
import { createIpRunner, defaultResolveOptions, resolveNextHopLive, runCommand, type IpRunner } from './next-hop/ip-runner.js';
import { startIpMonitor, type IpMonitor } from './next-hop/watch-ip-monitor.js';
import { checkPanicReboot } from './panic-reboot/panic-sysctl.js';
import { createReconciler, type Reconciler } from './reconcile.js';
import { conditionFromStatus } from './status/node-condition.js';
import { createNodeConditionReporter } from './status/patch-node-condition.js';

export interface AppDeps {
  logger: Logger;
  /** Defaults to the file in config.kubeconfig, else in-cluster. */
  kube?: KubeClient;
  fs?: ConfigfsFs;
  ipRunner?: IpRunner;
  now?: () => number;
}

export interface App {
  reconciler: Reconciler;
  /** The port /metrics, /livez and /readyz listen on (useful with port 0). */
  httpPort: number;
  /** SIGTERM handling: decide from the DaemonSet, remove targets on uninstall, stop everything. */
  shutdown(): Promise<ShutdownDecision>;
  /** What the start-up read of the agent's own DaemonSet found ('unknown' until the API answered). */
  ownDaemonSetAtStart(): StartupCheck;
  /** Stops everything and leaves the targets as they are. */
  stop(): Promise<void>;
}

export function kubeClientFor(config: AgentConfig): KubeClient {
  return createKubeClient(config.kubeconfig === null ? loadInCluster(process.env) : loadKubeconfigFile(config.kubeconfig));
}

export async function startApp(config: AgentConfig, deps: AppDeps): Promise<App> {
  const { logger } = deps;
  const now = deps.now ?? Date.now;
  const kube = deps.kube ?? kubeClientFor(config);
  const fs = deps.fs ?? createNodeConfigfsFs();
  const ipRunner = deps.ipRunner ?? createIpRunner();
  const metrics = createMetrics();
  const conditions = createNodeConditionReporter({ kube, nodeName: config.nodeName, logger, now });
  // --canary-interval 0: no canary at all, not even after a reconfiguration (capabilities mode cannot
  // write /dev/kmsg; a failed write would only count as a failure).
  const canary = config.canaryIntervalMs === 0 ? null : createCanaryWriter({
    nodeName: config.nodeName,
    kmsgPath: config.kmsgPath,
    printkPath: config.printkPath,
    intervalMs: config.canaryIntervalMs,
    logger,
    onWritten: (ok) => metrics.observeCanary(ok),
    panicLine: () => panicLine,
  });
  let lastReason = '';
  let lastApplied = '';
  let panicLine: PanicLineState | null = null;
  let canaryThisPass = false;
  const reconciler = createReconciler({
    fs,
    prefix: config.targetPrefix,
    nodeName: config.nodeName,
    logger,
    prepare: () =>
      prepareConfigfs(config.configfsRoot, { fs, run: (file, args) => runCommand(file, args), readMounts: () => readFile('/proc/self/mounts', 'utf8') }),
    resolveNextHop: (address) => resolveNextHopLive(address, ipRunner, defaultResolveOptions),
    recheckIntervalMs: config.recheckIntervalMs,
    retryMs: 5000,
    onStatus: (status) => {
      metrics.observeStatus(status);
      if (status.reason !== lastReason) logger.info({ reason: status.reason, message: status.message }, 'status');
      if (status.panicReboot?.remedy === 'applied' && status.panicReboot.detail !== lastApplied) {
        logger.warn({ detail: status.panicReboot.detail }, 'kernel.panic set to 0 (nbcon netconsole)');
      }
      lastApplied = status.panicReboot?.remedy === 'applied' ? status.panicReboot.detail : '';
      // The collector learns from the canary whether this node will send its panic: say it when it changes.
      const check = status.panicReboot ?? null;
      const nextPanicLine: PanicLineState | null = check === null ? panicLine : check.sendsPanic ? 'sent' : 'suppressed';
      canaryThisPass = false;
      if (nextPanicLine !== panicLine) {
        panicLine = nextPanicLine;
        canaryThisPass = true;
        void canary?.write('panic line check changed');
      }
      lastReason = status.reason;
      void conditions.report(conditionFromStatus(status));
    },
    onOutcomes: (outcomes) => metrics.observeOutcomes(outcomes),
    onPass: (result, ms) => metrics.observePass(result, ms),
    // Unless this pass's status already wrote one (the panic line check changed).
    onReconfigured: () => {
      if (!canaryThisPass) void canary?.write('targets (re)configured');
    },
    sysdata: config.sysdata,
    ratelimit: config.ratelimit,
    checkPanicReboot: () =>
      checkPanicReboot(
        { consolesPath: config.consolesPath, panicPath: config.panicSysctlPath, kubeletConfigPath: config.kubeletConfigPath },
        config.panicReboot,
      ),
  });
  const http: HttpServer = await startHttpServer(config.httpListen, metrics.registry, () => reconciler.status());
  const monitor: IpMonitor | null = config.ipMonitor
    ? startIpMonitor({ logger, currentHops: () => reconciler.currentHops(), onRelevantChange: (why) => reconciler.trigger(why) })
    : null;
  const onEndpoints = (endpoints: ReturnType<typeof normaliseEndpoints>) => {
    metrics.observeEndpoints(endpoints.length);
    logger.info({ endpoints }, 'collector endpoints');
    reconciler.setEndpoints(endpoints);
  };
  let watch: EndpointWatch | null = null;
  if (config.staticCollectors !== null) onEndpoints(normaliseEndpoints(config.staticCollectors));
  else {
    reconciler.trigger('start');
    watch = await watchEndpoints({
      kube,
      namespace: config.collectorNamespace,
      service: config.collectorService,
      portName: config.collectorPortName,
      logger,
      onChange: onEndpoints,
    });
  }

  // The start-up read of our own DaemonSet, retried until the API answers: SIGTERM's decision needs to
  // know whether a refusal then means "access withdrawn" or "never had access" (see lifecycle.ts).
  let atStart: StartupCheck = 'unknown';
  let startupTimer: NodeJS.Timeout | null = null;
  const checkAtStart = async () => {
    startupTimer = null;
    if (config.daemonsetName === null) return;
    atStart = startupCheckOf(await readOwnDaemonSet(kube, config.podNamespace, config.daemonsetName));
    if (atStart === 'unknown') startupTimer = setTimeout(() => void checkAtStart(), 10_000);
    else if (atStart !== 'readable') {
      logger.warn({ daemonSet: config.daemonsetName, namespace: config.podNamespace, result: atStart }, 'own DaemonSet not readable: targets will be left in place on SIGTERM');
    }
  };
  const startupRead = checkAtStart();

  const stop = async () => {
    watch?.stop();
    monitor?.stop();
    await reconciler.stop();
    canary?.stop();
    if (startupTimer !== null) clearTimeout(startupTimer);
    await http.close();
  };
  return {
    reconciler,
    httpPort: http.port,
    stop,
    ownDaemonSetAtStart: () => atStart,
    async shutdown() {
      const daemonSet =
        config.daemonsetName === null
          ? 'unknown'
          : await readOwnDaemonSet(kube, config.podNamespace, config.daemonsetName);
      await startupRead;
      const decision = decideOnShutdown(daemonSet, atStart);
      await stop();
      if (decision.action === 'remove-targets') {
        const removed = await reconciler.removeAll();
        logger.info({ removed, reason: decision.reason }, 'netconsole targets removed');
      } else {
        logger.info({ reason: decision.reason }, 'netconsole targets left in place');
      }
      return decision;
    },
  };
}
