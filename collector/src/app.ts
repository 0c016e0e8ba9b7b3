// Wires the collector's stages in the order data flows — rules → UDP listener and pipeline → incident
// routing → Kubernetes (Node cache, remediation, records, leader election) → gRPC API and HTTP — and
// stops them in reverse. Everything is passed in (config, logger, Kubernetes client); nothing is global.
// How each stage is put together lives in start/; this file only says in which order.
import type { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { IncidentHistory } from './api/index.js';
import { loadRules } from './classify/rules.js';
import type { CollectorConfig } from './config/config.js';
import { startHttpServer } from './http/http-server.js';
import { historyOptions } from './config/receive-limits.js';
import { createMetrics, receiveMemory, type ReceiveCounters } from './http/metrics.js';
import { createNodeIndex } from './resolve/node-index.js';
import { collectorStatus, netconsoleListeners } from './start/collector-status.js';
import { createEventCounters } from './start/event-counters.js';
import { followLeaderInto, progressInto } from './start/mirror-records.js';
import { receiveCounters } from './start/receive-counters.js';
import { routeIncidents } from './start/route-incidents.js';
import { startGrpc } from './start/start-grpc.js';
import { startKube, type KubeParts } from './start/start-kube.js';
import { startReceive, type ReceivePath } from './start/start-receive.js';
import { Stops } from './start/stops.js';

import { COLLECTOR_VERSION } from './start/collector-status.js';

export { COLLECTOR_VERSION };

export interface AppOptions {
  config: CollectorConfig;
  logger: Logger;
  /** Null in standalone mode. */
  kubeConfig: KubeConfig | null;
  now?: () => number;
}

export interface App {
  udpAddresses: string[];
  grpcAddress: string;
  httpAddress: string;
  stop(): Promise<void>;
}

export async function startApp(opts: AppOptions): Promise<App> {
  const { config, logger, kubeConfig } = opts;
  const now = opts.now ?? Date.now;
  const startedAt = now();
  const stops = new Stops(logger);
  try {
    const rules = loadRules(config.rulesFile ?? undefined);
    const history = new IncidentHistory(historyOptions(config.limits));
    const index = createNodeIndex({ attributeExternalIP: config.attributeExternalIP });
    // Set once each is started; /metrics reads them at scrape time.
    let receive: ReceivePath | null = null;
    let kube: KubeParts | null = null;
    const receiveCounts = (): ReceiveCounters => receiveCounters(receive);
    const metrics = createMetrics({
      receive: receiveCounts,
      memory: () => receiveMemory(receive?.listener.counters() ?? null, receive?.pipeline.stats() ?? null, history.stats(), kube?.reports.stats() ?? null),
      nodesKnown: () => index.size(),
      leading: () => kube?.elector.isLeader() ?? false,
      pendingIncidents: () => kube?.remediator.pendingCount() ?? 0,
      pendingIncidentBytes: () => kube?.remediator.pendingBytes() ?? 0,
    });
    const events = createEventCounters(metrics);

    const incidents = routeIncidents({ standalone: kubeConfig === null, config, index, history, events, now, logger });
    // In a cluster, Node addresses get a host-table budget unknown (possibly spoofed) senders cannot evict.
    const isKnownSource = kubeConfig === null ? undefined : (address: string): boolean => index.hasAddress(address);
    receive = await startReceive({ config, rules, now, logger, onEvent: incidents.route, registry: metrics.registry, stops, isKnownSource });
    const { pipeline, listener } = receive;

    if (kubeConfig !== null) {
      const progress = progressInto(history, now);
      const followLeader = followLeaderInto(history, now);
      // A refuted panic must not mask the next one from the same host: its host is re-armed at once.
      const onNodeAnswered = (source: string): void => void pipeline.rearm(source, now());
      kube = startKube({ kc: kubeConfig, config, index, events, progress, followLeader, now, logger, stops, registry: metrics.registry, onNodeAnswered });
      incidents.attach(kube.remediator, kube.reports, kube.nodeInformer);
    }

    // The gRPC and HTTP addresses are added once those are listening.
    const listeners = netconsoleListeners(listener);
    const elector = kube?.elector ?? null;
    const reachability = kube?.reachability ?? null;
    const source = collectorStatus({ config, startedAt, history, listeners, receive: receiveCounts, events, pipeline, index, elector, reachability, now });
    const grpc = await startGrpc(config, source, logger);
    stops.add(() => grpc.close(2000));
    listeners.push({ name: 'grpc', address: grpc.address });

    const nodeCache = kube?.nodeInformer ?? null;
    const http = await startHttpServer({
      listen: config.httpListen,
      registry: metrics.registry,
      notReadyReason: () => (nodeCache !== null && !nodeCache.isSynced() ? 'node cache not synced' : null),
    });
    stops.add(() => http.close());
    listeners.push({ name: 'http', address: http.address });
    grpc.setServing(true);

    logger.info(
      { version: COLLECTOR_VERSION, udp: listener.addresses, grpc: grpc.address, http: http.address, standalone: kube === null, policy: config.policy, limits: config.limits },
      'collector started',
    );
    return { udpAddresses: listener.addresses, grpcAddress: grpc.address, httpAddress: http.address, stop: () => stops.stopAll() };
  } catch (err) {
    await stops.stopAll();
    throw err;
  }
}
