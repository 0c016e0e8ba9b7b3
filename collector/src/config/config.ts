// The collector's configuration after validation. Every field has a default (see `defaultConfig`);
// the file and the flags only override. Durations typed as text (proto/src/duration.ts) are held in ms
// (`*Ms`); keys named in seconds (`*Seconds`) are whole seconds.
import type { LogFormat } from '@lastgasp/proto/log-format';
import { DEFAULT_ANNOTATION_PREFIX } from '@lastgasp/proto/contract';
import { defaultReceiveLimits, type ReceiveLimits } from './receive-limits.js';

export type RemediationMode = 'immediate' | 'confirm';
export type NodeAction = 'delete' | 'taint' | 'none';

export interface ListenAddress {
  host: string;
  port: number;
}

export interface StormLimits {
  /** At most this many node remediations start within `windowSeconds`. */
  maxNodesPerWindow: number;
  windowSeconds: number;
  /** At most this share (0–100) of the Ready nodes is remediated within the window; never less than 1 node. */
  maxPercentOfReadyNodes: number;
}

/**
 * Proof of death: before anything destructive, the Node's InternalIPs are probed with TCP connects; any
 * answer after the last gasp refutes the panic, silence over the window proves it. Durations in ms
 * (written as Go durations in the file: `400ms`, `10m`).
 */
export interface ProofOfDeath {
  /** Off only for clusters where the collector cannot reach the nodes at all: then a datagram alone acts. */
  enabled: boolean;
  /** TCP port probed; null = each Node's kubelet port (`status.daemonEndpoints.kubeletEndpoint.Port`, else 10250). */
  port: number | null;
  /** Rounds of connects, spread over `windowMs`. */
  attempts: number;
  windowMs: number;
  /** How long one connect waits for an answer. */
  attemptTimeoutMs: number;
  /** Answers count at the latest this long after the panic line (at once when its end marker arrives). */
  settleMs: number;
  /** Reachability self-check: every Ready node is probed at least this often. */
  selfCheckIntervalMs: number;
  /** Reachability self-check: at most this many probes per second over all nodes. */
  selfCheckPerSecond: number;
}

/**
 * What a non-fatal incident (OOM kill, hung task, oops, warning…) produces. By default an Event series
 * per Node and reason (report/event-series.ts), the history of the status API and metrics; a NodeIncident
 * each only when `records` is set.
 */
export interface NonFatalPolicy {
  /** One Warning Event per Node, reason and period, its series counting the repeats. */
  events: boolean;
  seriesPeriodMs: number;
  /** A series' count is written at most this often. */
  seriesRefreshMs: number;
  /** A NodeIncident for each non-fatal incident too, at most `recordsPerNodePerHour` per Node. */
  records: boolean;
  recordsPerNodePerHour: number;
  /** Per sender: non-fatal incidents kept in the history and logged (a burst, then so many a minute); the rest only counted. */
  perSourceBurst: number;
  perSourcePerMinute: number;
}

/** Which finished NodeIncidents the leader deletes (record/retention.ts). */
export interface RetentionPolicy {
  maxAgeMs: number;
  maxRecords: number;
}

export interface RemediationPolicy {
  mode: RemediationMode;
  nonFatal: NonFatalPolicy;
  retention: RetentionPolicy;
  proofOfDeath: ProofOfDeath;
  /** Record and explain; never patch, delete or taint pods or Nodes. */
  dryRun: boolean;
  nodeAction: NodeAction;
  /** confirm mode: how long to wait for the node to look dead before holding the incident. */
  confirmTimeoutSeconds: number;
  /** confirm mode: the kubelet Lease counts as stopped when not renewed for this long. */
  confirmLeaseStaleSeconds: number;
  storm: StormLimits;
  /** Label selector; matching Nodes are never remediated automatically (their incidents are Held). */
  excludeNodeSelector: string;
  /** Prefix of every annotation the collector writes, and of the release annotation. */
  annotationPrefix: string;
}

export interface LeaderElectionTimings {
  leaseDurationSeconds: number;
  renewDeadlineSeconds: number;
  retryPeriodSeconds: number;
}

export interface GrpcTls {
  tlsCert: string | null;
  tlsKey: string | null;
  clientCa: string | null;
}

export interface CollectorConfig {
  kubeconfig: string | null;
  standalone: boolean;
  udpListen: ListenAddress;
  /** Requested SO_RCVBUF of the UDP socket, bytes. */
  udpRecvBufferBytes: number;
  /**
   * UDP receive path: `native` (recvmmsg batch addon), `dgram` (node:dgram), or `auto` (the addon when
   * it is built and loads, else node:dgram).
   */
  udpReceiver: 'auto' | 'native' | 'dgram';
  grpcListen: ListenAddress;
  httpListen: ListenAddress;
  identity: string;
  leaseNamespace: string;
  leaseName: string;
  rulesFile: string | null;
  /**
   * Whether legacy (non-extended) console text may open incidents. Legacy text carries no facility, so
   * anything that can write to a node's console or /dev/kmsg can forge a panic line; false accepts
   * incidents only from the extended format (kernel facility).
   */
  trustLegacy: boolean;
  /**
   * Whether a Node's ExternalIP addresses also identify it as a sender. Off by default: an ExternalIP can
   * be a NAT or load-balancer address shared with other machines; InternalIP is written by the node's own
   * kubelet, which the Node authorizer limits to its own Node.
   */
  attributeExternalIP: boolean;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';
  /** json: pino's JSON lines; text: one readable line per entry, for a terminal. */
  logFormat: LogFormat;
  grpc: GrpcTls;
  policy: RemediationPolicy;
  leaderElection: LeaderElectionTimings;
  /** A new leader finishes fatal incidents it saw within this many seconds that nobody recorded. */
  takeoverWindowSeconds: number;
  /** An unknown source is logged at most once per this many seconds. */
  unknownSourceLogIntervalSeconds: number;
  /** A Node watch that delivered nothing for this long is restarted (relist). */
  nodeWatchSilenceSeconds: number;
  /** Memory bounds of the receive path (receive-limits.ts). */
  limits: ReceiveLimits;
}

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace'] as const;

/** Values that depend on the environment (identity, namespace) are passed in. */
export function defaultConfig(env: { identity: string; namespace: string }): CollectorConfig {
  return {
    kubeconfig: null,
    standalone: false,
    udpListen: { host: '::', port: 6666 },
    udpRecvBufferBytes: 8 * 1024 * 1024,
    udpReceiver: 'auto',
    grpcListen: { host: '::', port: 6667 },
    httpListen: { host: '::', port: 6668 },
    identity: env.identity,
    leaseNamespace: env.namespace,
    leaseName: 'lastgasp-collector',
    rulesFile: null,
    trustLegacy: false,
    attributeExternalIP: false,
    logLevel: 'info',
    logFormat: 'json',
    grpc: { tlsCert: null, tlsKey: null, clientCa: null },
    policy: {
      mode: 'immediate',
      nonFatal: {
        events: true,
        seriesPeriodMs: 3_600_000,
        seriesRefreshMs: 30_000,
        records: false,
        recordsPerNodePerHour: 6,
        perSourceBurst: 20,
        perSourcePerMinute: 60,
      },
      retention: { maxAgeMs: 30 * 86_400_000, maxRecords: 1000 },
      proofOfDeath: {
        enabled: true,
        port: null,
        attempts: 3,
        windowMs: 300,
        attemptTimeoutMs: 200,
        settleMs: 300,
        selfCheckIntervalMs: 600_000,
        selfCheckPerSecond: 10,
      },
      dryRun: false,
      nodeAction: 'delete',
      confirmTimeoutSeconds: 60,
      confirmLeaseStaleSeconds: 20,
      storm: { maxNodesPerWindow: 5, windowSeconds: 600, maxPercentOfReadyNodes: 30 },
      excludeNodeSelector: 'node-role.kubernetes.io/control-plane',
      annotationPrefix: DEFAULT_ANNOTATION_PREFIX,
    },
    leaderElection: { leaseDurationSeconds: 15, renewDeadlineSeconds: 10, retryPeriodSeconds: 2 },
    takeoverWindowSeconds: 600,
    unknownSourceLogIntervalSeconds: 60,
    nodeWatchSilenceSeconds: 900,
    limits: defaultReceiveLimits(),
  };
}
