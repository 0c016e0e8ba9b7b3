// Wires the collector's stages in the order data flows — rules → pipeline → UDP listener → Node cache →
// node resolution → leader election → remediation → records → gRPC API and HTTP — and stops them in
// reverse. Everything is passed in (config, logger, Kubernetes client); nothing is global.
import type { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { Gauge } from 'prom-client';
import { IncidentHistory, composeStatusSource, startGrpcServer, type CollectorStatus, type IncidentPhase, type Listener } from './api/index.js';
import { loadRules } from './classify/rules.js';
import type { CollectorConfig, ListenAddress } from './config/config.js';
import { parseLabelSelector } from './config/label-selector.js';
import { createMetrics, type ReceiveCounters } from './http/metrics.js';
import { startHttpServer } from './http/http-server.js';
import { startUdpListener, type UdpListener } from './ingest/udp-listener.js';
import { createKubeLeaseStore } from './leader/lease-store.js';
import { startLeaderElection, type LeaderElector } from './leader/lease-elector.js';
import { createPipeline, type Pipeline } from './pipeline.js';
import { followRecord } from './record/follow-record.js';
import type { Phase } from './record/incident-record.js';
import { startIncidentWatch, type IncidentWatch } from './record/incident-watch.js';
import { waitUntilDead } from './remediate/confirm-dead.js';
import { createKubeClusterApi } from './remediate/kube-cluster-api.js';
import { startKeepWarm } from './kube/keep-warm.js';
import { MAX_POD_CONCURRENCY } from './remediate/pod-steps.js';
import type { RemediationProgress } from './record/remediation-steps.js';
import { createRemediator, type Remediator } from './remediate/remediator.js';
import { createStormGuard } from './remediate/storm-guard.js';
import { createIncidentRouter } from './resolve/incident-router.js';
import { createNodeIndex, type NodeIndex } from './resolve/node-index.js';
import { startNodeInformer } from './resolve/node-informer.js';
import type { RestartingInformer } from './kube/restarting-informer.js';
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

/** The listener's and the pipeline's counters as one object; /metrics and GetStatus both read it. */
function receiveCounters(udp: UdpListener | null, pipeline: Pipeline | null): ReceiveCounters {
  const u = udp?.counters() ?? { datagrams: 0, bytes: 0, queueDropped: 0, handlerErrors: 0 };
  if (pipeline === null) {
    return {
      ...u,
      parsed: 0,
      malformedByReason: {},
      records: 0,
      duplicates: 0,
      reordered: 0,
      sequenceResets: 0,
      fragmentDrops: {},
      untrustedIncidentLike: 0,
      hosts: 0,
      hostsEvicted: 0,
    };
  }
  const p = pipeline.stats();
  return {
    datagrams: u.datagrams,
    bytes: u.bytes,
    queueDropped: u.queueDropped,
    handlerErrors: u.handlerErrors,
    parsed: p.datagrams,
    malformedByReason: { ...p.parseErrors },
    records: p.records,
    duplicates: p.duplicates,
    reordered: p.reordered,
    sequenceResets: p.sequenceResets,
    fragmentDrops: { ...p.fragmentDrops },
    untrustedIncidentLike: p.untrustedIncidentLike,
    hosts: p.hosts,
    hostsEvicted: p.hostsEvicted,
  };
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
    // Set once each is started; the metrics read them at scrape time.
    let udp: UdpListener | null = null;
    let pipeline: Pipeline | null = null;
    const receive = (): ReceiveCounters => receiveCounters(udp, pipeline);

    const metrics = createMetrics({
      receive,
      nodesKnown: () => kube?.index.size() ?? 0,
      leading: () => kube?.elector.isLeader() ?? false,
      pendingIncidents: () => kube?.remediator.pendingCount() ?? 0,
    });

    const index = createNodeIndex();
    let remediator: Remediator | null = null;
    let nodesSynced: () => void = () => undefined;
    const nodesSyncedPromise = new Promise<void>((resolve) => (nodesSynced = resolve));
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
      nodes: { isSynced: () => kube?.nodeInformer.isSynced() ?? false, synced: nodesSyncedPromise },
    });

    const pipe = createPipeline({ rules, trustLegacy: config.trustLegacy, onEvent: route });
    pipeline = pipe;
    const ticker = setInterval(() => pipe.tick(now()), 250);
    stops.push(() => {
      clearInterval(ticker);
      pipe.flush(now());
      return Promise.resolve();
    });

    const listener = await startUdpListener({
      host: config.udpListen.host,
      port: config.udpListen.port,
      recvBufferBytes: config.udpRecvBufferBytes,
      receiver: config.udpReceiver,
      onDatagram: (d) => pipe.ingest(d),
      logger,
    });
    udp = listener;
    stops.push(() => listener.close());
    new Gauge({
      name: 'lastgasp_udp_receiver_info',
      help: 'The UDP receive path in use (native: recvmmsg batch addon; dgram: node:dgram); always 1.',
      labelNames: ['receiver'],
      registers: [metrics.registry],
    }).set({ receiver: listener.receiver }, 1);

    if (opts.kubeConfig !== null) {
      const progress: RemediationProgress = {
        step: (id, step) => history.recordStep(id, step, now()),
        phase: (id, phase) => history.setPhase(id, HISTORY_PHASE[phase], now()),
      };
      // A follower shows what the leader did, from the records it writes; unchanged records (relists)
      // add no event.
      const followLeader = (obj: unknown): void => {
        const f = followRecord(obj);
        const known = f === null ? undefined : history.getIncident(f.incidentId);
        if (f === null || known === undefined) return;
        const previous = known.steps.find((s) => s.name === f.step.name);
        if (previous?.message !== f.step.message || previous.outcome !== f.step.outcome) history.recordStep(f.incidentId, f.step, now());
        if (known.phase !== HISTORY_PHASE[f.phase]) history.setPhase(f.incidentId, HISTORY_PHASE[f.phase], now());
      };
      kube = startKube({ kc: opts.kubeConfig, config, logger, now, index, metrics, progress, followLeader, counts, stops });
      remediator = kube.remediator;
      void kube.nodeInformer.synced.then(nodesSynced);
    }

    // As bound (port 0 → the real port); the gRPC and HTTP addresses are added once those are listening.
    const listeners: Listener[] = listener.addresses.map((address) => ({
      name: 'netconsole',
      address,
      receiver: listener.receiver,
      recvBufferBytes: listener.grantedRecvBufferBytes,
    }));
    const statusSource = composeStatusSource(history, {
      getStatus: (): CollectorStatus => {
        const r = receive();
        return {
          version: COLLECTOR_VERSION,
          startedAt,
          identity: config.identity,
          leading: kube?.elector.isLeader() ?? false,
          leaderIdentity: kube?.elector.leaderIdentity() ?? null,
          standalone: kube === null,
          listeners: [...listeners],
          counters: {
            datagrams: r.datagrams,
            bytes: r.bytes,
            malformedByReason: r.malformedByReason,
            unknownSources: counts.unknownSources,
            hostsTracked: r.hosts,
            incidentsByKind: { ...counts.byKind },
            nodesRemediated: counts.nodesRemediated,
            podsDeleted: counts.podsDeleted,
            incidentsHeld: counts.held,
          },
          policy: { ...config.policy, storm: { ...config.policy.storm } },
        };
      },
      listHosts: () => pipe.hosts().map((h) => ({ ...h, node: index.byAddress(h.address)[0] ?? null })),
    });

    const grpc = await startGrpcServer({
      listen: hostPort(config.grpcListen),
      source: statusSource,
      logger,
      ...(config.grpc.tlsCert !== null && config.grpc.tlsKey !== null
        ? { tls: { certFile: config.grpc.tlsCert, keyFile: config.grpc.tlsKey, clientCaFile: config.grpc.clientCa ?? undefined } }
        : {}),
    });
    stops.push(() => grpc.close(2000));
    listeners.push({ name: 'grpc', address: grpc.address });

    const http = await startHttpServer({
      listen: config.httpListen,
      registry: metrics.registry,
      notReadyReason: () => {
        if (kube !== null && !kube.nodeInformer.isSynced()) return 'node cache not synced';
        return null;
      },
    });
    stops.push(() => http.close());
    listeners.push({ name: 'http', address: http.address });
    grpc.setServing(true);

    logger.info(
      { udp: listener.addresses, grpc: grpc.address, http: http.address, standalone: kube === null, policy: config.policy },
      'collector started',
    );
    let stopping: Promise<void> | null = null;
    return {
      udpAddresses: listener.addresses,
      grpcAddress: grpc.address,
      httpAddress: http.address,
      stop: () => (stopping ??= stopAll()),
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}

/** Under kube-apiserver's 90 s idle timeout, so the warm connections are never closed. */
const KEEP_WARM_INTERVAL_MS = 45_000;

/** The Kubernetes half: Node cache, records watch, remediation, leader election. */
function startKube(parts: {
  kc: KubeConfig;
  config: CollectorConfig;
  logger: Logger;
  now: () => number;
  index: NodeIndex;
  metrics: ReturnType<typeof createMetrics>;
  progress: RemediationProgress;
  /** A NodeIncident changed while this replica follows. */
  followLeader: (record: unknown) => void;
  counts: { nodesRemediated: number; podsDeleted: number; held: number };
  stops: (() => Promise<void>)[];
}): KubeParts {
  const { kc, config, logger, now, index, metrics, progress, followLeader, counts, stops } = parts;
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
      progress,
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
    onChange: (obj) => {
      if (isLeader()) remediator.recordChanged(obj);
      else followLeader(obj);
    },
    onRestart: onRestart('nodeincidents'),
  });
  stops.push(() => incidentWatch.stop());

  const keepWarm = startKeepWarm({
    connections: MAX_POD_CONCURRENCY,
    intervalMs: KEEP_WARM_INTERVAL_MS,
    ping: () => api.ping(),
    isLeader,
    onError: (err) => logger.debug({ err }, 'keeping API connections warm failed'),
  });
  stops.push(() => Promise.resolve(keepWarm.stop()));

  elector = startLeaderElection({
    store: createKubeLeaseStore(kc, config.leaseNamespace, config.leaseName),
    identity: config.identity,
    timings: config.leaderElection,
    now,
    logger,
    onStartedLeading: () => {
      // The records list must be current before open ones are finished. The connections are warmed
      // after that, so their handshakes do not delay the first lists.
      void Promise.all([incidentWatch.synced, nodeInformer.synced]).then(() => {
        if (isLeader()) remediator.leadershipGained(incidentWatch.list());
        if (isLeader()) void keepWarm.warm();
      });
    },
    onStoppedLeading: () => remediator.leadershipLost(),
  });
  const leader = elector;
  stops.push(() => leader.stop());
  return { index, remediator, nodeInformer, incidentWatch, elector: leader };
}
