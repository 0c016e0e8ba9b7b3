// Wires the collector's stages in the order data flows — rules → pipeline → UDP listener → Node cache →
// node resolution → leader election → remediation → records → gRPC API and HTTP — and stops them in
// reverse. Everything is passed in (config, logger, Kubernetes client); nothing is global.
import type { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { IncidentHistory, composeStatusSource, startGrpcServer, type CollectorStatus, type IncidentPhase } from './api/index.js';
import { loadRules } from './classify/rules.js';
import type { CollectorConfig, ListenAddress } from './config/config.js';
import { parseLabelSelector } from './config/label-selector.js';
import { createMetrics } from './http/metrics.js';
import { startHttpServer } from './http/http-server.js';
import { startUdpListener } from './ingest/udp-listener.js';
import { createKubeLeaseStore } from './leader/lease-store.js';
import { startLeaderElection, type LeaderElector } from './leader/lease-elector.js';
import { createPipeline } from './pipeline.js';
import type { Phase } from './record/incident-record.js';
import { startIncidentWatch, type IncidentWatch } from './record/incident-watch.js';
import { waitUntilDead } from './remediate/confirm-dead.js';
import { createKubeClusterApi } from './remediate/kube-cluster-api.js';
import { createRemediator, type Remediator } from './remediate/remediator.js';
import { createStormGuard } from './remediate/storm-guard.js';
import { createIncidentRouter } from './resolve/incident-router.js';
import { createNodeIndex, type NodeIndex } from './resolve/node-index.js';
import { startNodeInformer } from './resolve/node-informer.js';
import type { RestartingInformer } from './resolve/restarting-informer.js';
import { createNodeResolver } from './resolve/resolve-node.js';
import type { ReasonCode } from './types.js';

export const COLLECTOR_VERSION = '0.1.0';

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

const HISTORY_PHASE: Record<Phase, IncidentPhase> = {
  Detected: 'pending',
  Remediating: 'remediating',
  Remediated: 'remediated',
  Held: 'held',
  Failed: 'failed',
  Recorded: 'observed',
};

function hostPort(a: ListenAddress): string {
  return a.host.includes(':') ? `[${a.host}]:${a.port}` : `${a.host}:${a.port}`;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
      return;
    }
    const t = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(t);
      reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
    }, { once: true });
  });
}

interface KubeParts {
  index: NodeIndex;
  remediator: Remediator;
  nodeInformer: RestartingInformer;
  incidentWatch: IncidentWatch;
  elector: LeaderElector;
}

export async function startApp(opts: AppOptions): Promise<App> {
  const { config, logger } = opts;
  const now = opts.now ?? Date.now;
  const startedAt = now();
  const stops: (() => Promise<void>)[] = [];
  const stopAll = async (): Promise<void> => {
    for (const stop of stops.reverse()) {
      await stop().catch((err: unknown) => logger.error({ err }, 'error while stopping'));
    }
  };

  try {
    const rules = loadRules(config.rulesFile ?? undefined);
    const history = new IncidentHistory();
    const counts = { nodesRemediated: 0, podsDeleted: 0, held: 0, unknownSources: 0, byKind: {} as Partial<Record<ReasonCode, number>> };
    let kube: KubeParts | null = null;
    let udpStats = { datagrams: 0, bytes: 0 };
    const pipelineRef: { current: ReturnType<typeof createPipeline> | null } = { current: null };

    const metrics = createMetrics({
      datagrams: () => udpStats.datagrams,
      bytes: () => udpStats.bytes,
      malformedByReason: () => ({ ...(pipelineRef.current?.stats().parseErrors ?? {}) }),
      hosts: () => pipelineRef.current?.stats().hosts ?? 0,
      nodesKnown: () => kube?.index.size() ?? 0,
      leading: () => kube?.elector.isLeader() ?? false,
      pendingIncidents: () => kube?.remediator.pendingCount() ?? 0,
    });

    const index = createNodeIndex();
    let remediator: Remediator | null = null;
    const route = createIncidentRouter({
      resolver: opts.kubeConfig === null ? null : createNodeResolver({ index, logIntervalMs: config.unknownSourceLogIntervalSeconds * 1000 }),
      now,
      logger,
      onRecorded: (event, node, rejected) => {
        if (event.type === 'opened') {
          metrics.incidents.inc({ kind: event.incident.kind, fatal: String(event.incident.fatal) });
          counts.byKind[event.incident.kind] = (counts.byKind[event.incident.kind] ?? 0) + 1;
        }
        history.recordIncidentEvent(event, now(), rejected ? { node: null, phase: 'unresolved' } : { node });
      },
      onRejected: (reason) => {
        metrics.rejected.inc({ reason });
        if (reason === 'unknown-source') {
          metrics.unknownSources.inc();
          counts.unknownSources++;
        }
      },
      submit: (req) => remediator?.submit(req),
      updateContext: (req) => remediator?.updateContext(req),
    });

    const pipeline = createPipeline({ rules, onEvent: route });
    pipelineRef.current = pipeline;
    const ticker = setInterval(() => pipeline.tick(now()), 250);
    stops.push(() => {
      clearInterval(ticker);
      pipeline.flush(now());
      return Promise.resolve();
    });

    const udp = await startUdpListener({
      host: config.udpListen.host,
      port: config.udpListen.port,
      recvBufferBytes: config.udpRecvBufferBytes,
      onDatagram: (d) => pipeline.ingest(d),
      logger,
    });
    stops.push(() => udp.close());
    const statsTimer = setInterval(() => {
      const s = udp.stats();
      udpStats = { datagrams: s.datagrams, bytes: s.bytes };
    }, 1000);
    stops.push(() => Promise.resolve(clearInterval(statsTimer)));

    if (opts.kubeConfig !== null) {
      kube = startKube({ kc: opts.kubeConfig, config, logger, now, index, metrics, history, counts, stops });
      remediator = kube.remediator;
    }

    const statusSource = composeStatusSource(history, {
      getStatus: (): CollectorStatus => {
        const p = pipeline.stats();
        const u = udp.stats();
        return {
          version: COLLECTOR_VERSION,
          startedAt,
          identity: config.identity,
          leading: kube?.elector.isLeader() ?? false,
          leaderIdentity: kube?.elector.isLeader() === true ? config.identity : null,
          standalone: kube === null,
          listeners: [
            ...udp.addresses.map((address) => ({ name: 'netconsole', address })),
            { name: 'grpc', address: hostPort(config.grpcListen) },
            { name: 'http', address: hostPort(config.httpListen) },
          ],
          counters: {
            datagrams: u.datagrams,
            bytes: u.bytes,
            malformedByReason: { ...p.parseErrors },
            unknownSources: counts.unknownSources,
            hostsTracked: p.hosts,
            incidentsByKind: { ...counts.byKind },
            nodesRemediated: counts.nodesRemediated,
            podsDeleted: counts.podsDeleted,
            incidentsHeld: counts.held,
          },
          policy: { ...config.policy, storm: { ...config.policy.storm } },
        };
      },
      listHosts: () => pipeline.hosts().map((h) => ({ ...h, node: index.byAddress(h.address)[0] ?? null })),
    });

    const grpc = await startGrpcServer({
      listen: hostPort(config.grpcListen),
      source: statusSource,
      logger,
      ...(config.grpc.tlsCert !== null && config.grpc.tlsKey !== null
        ? { tls: { certFile: config.grpc.tlsCert, keyFile: config.grpc.tlsKey, clientCaFile: config.grpc.clientCa ?? undefined } }
        : {}),
    });
    grpc.setServing(true);
    stops.push(() => grpc.close(2000));

    const http = await startHttpServer({
      listen: config.httpListen,
      registry: metrics.registry,
      notReadyReason: () => {
        if (kube !== null && !kube.nodeInformer.isSynced()) return 'node cache not synced';
        return null;
      },
    });
    stops.push(() => http.close());

    logger.info(
      { udp: udp.addresses, grpc: grpc.address, http: http.address, standalone: kube === null, policy: config.policy },
      'collector started',
    );
    let stopping: Promise<void> | null = null;
    return {
      udpAddresses: udp.addresses,
      grpcAddress: grpc.address,
      httpAddress: http.address,
      stop: () => (stopping ??= stopAll()),
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}

/** The Kubernetes half: Node cache, records watch, remediation, leader election. */
function startKube(parts: {
  kc: KubeConfig;
  config: CollectorConfig;
  logger: Logger;
  now: () => number;
  index: NodeIndex;
  metrics: ReturnType<typeof createMetrics>;
  history: IncidentHistory;
  counts: { nodesRemediated: number; podsDeleted: number; held: number };
  stops: (() => Promise<void>)[];
}): KubeParts {
  const { kc, config, logger, now, index, metrics, history, counts, stops } = parts;
  const api = createKubeClusterApi(kc, config.identity);
  const policy = config.policy;
  let elector: LeaderElector | null = null;
  const isLeader = (): boolean => elector?.isLeader() ?? false;

  const remediator = createRemediator({
    isLeader,
    takeoverWindowMs: config.takeoverWindowSeconds * 1000,
    logger,
    context: {
      api,
      policy,
      exclude: parseLabelSelector(policy.excludeNodeSelector),
      storm: createStormGuard(policy.storm),
      cluster: {
        readyCount: () => index.readyCount(),
        isReady: (node) => index.get(node)?.ready ?? false,
        labelsOf: (node) => index.get(node)?.labels ?? null,
      },
      confirmDead: (node, signal) =>
        waitUntilDead({
          probe: () => api.nodeLiveness(node),
          now,
          sleep,
          timeoutMs: policy.confirmTimeoutSeconds * 1000,
          staleMs: policy.confirmLeaseStaleSeconds * 1000,
          pollMs: 1000,
          signal,
        }),
      identity: config.identity,
      now,
      observer: {
        podDeleted: () => {
          metrics.podsDeleted.inc();
          counts.podsDeleted++;
        },
        nodeRemediated: (action) => {
          metrics.nodesRemediated.inc({ action });
          counts.nodesRemediated++;
        },
        held: (reason) => {
          metrics.held.inc({ reason });
          counts.held++;
        },
        completed: (phase, latencyMs) => {
          metrics.outcomes.inc({ phase });
          metrics.remediationSeconds.observe({ phase }, latencyMs / 1000);
        },
      },
    },
    onOutcome: (req, outcome) => {
      const t = now();
      history.recordStep(
        req.incidentId,
        { name: 'remediate', outcome: outcome.phase === 'Failed' ? 'failed' : 'ok', startedAt: req.detectedAt, finishedAt: t, message: `${outcome.phase}${outcome.reason === null ? '' : `: ${outcome.reason}`}; ${outcome.podsDeleted} pod(s) deleted; record ${outcome.name}` },
        t,
      );
      history.setPhase(req.incidentId, HISTORY_PHASE[outcome.phase], t);
    },
  });
  stops.push(() => remediator.stop());

  const silenceMs = config.nodeWatchSilenceSeconds * 1000;
  const onRestart = (informer: string) => (reason: 'error' | 'silence') => metrics.watchRestarts.inc({ informer, reason });
  const nodeInformer = startNodeInformer({ kubeConfig: kc, index, silenceMs, logger, onRestart: onRestart('nodes') });
  stops.push(() => nodeInformer.stop());
  const incidentWatch = startIncidentWatch({
    kubeConfig: kc,
    silenceMs,
    logger,
    onChange: (obj) => remediator.recordChanged(obj),
    onRestart: onRestart('nodeincidents'),
  });
  stops.push(() => incidentWatch.stop());

  elector = startLeaderElection({
    store: createKubeLeaseStore(kc, config.leaseNamespace, config.leaseName),
    identity: config.identity,
    timings: config.leaderElection,
    now,
    logger,
    onStartedLeading: () => {
      // The records list must be current before open ones are finished.
      void Promise.all([incidentWatch.synced, nodeInformer.synced]).then(() => {
        if (isLeader()) remediator.leadershipGained(incidentWatch.list());
      });
    },
    onStoppedLeading: () => remediator.leadershipLost(),
  });
  const leader = elector;
  stops.push(() => leader.stop());
  return { index, remediator, nodeInformer, incidentWatch, elector: leader };
}
