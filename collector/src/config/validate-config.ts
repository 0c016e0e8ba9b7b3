// Turns untrusted configuration (a parsed file merged with flags) into a CollectorConfig. Every error
// names the field by its dotted path, e.g. `policy.storm.maxNodesPerWindow: must be a positive integer`.
// Unknown keys are errors too: a misspelt safety setting must not silently fall back to its default.
import { DURATION_EXAMPLES, parseDuration } from '@lastgasp/proto/duration';
import { LOG_FORMATS } from '@lastgasp/proto/log-format';
import { parseLabelSelector } from './label-selector.js';

function formatMs(ms: number): string {
  return ms % 60_000 === 0 ? `${ms / 60_000}m` : ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}
import {
  LOG_LEVELS,
  type CollectorConfig,
  type GrpcTls,
  type LeaderElectionTimings,
  type NonFatalPolicy,
  type RetentionPolicy,
  type ListenAddress,
  type ProofOfDeath,
  type RemediationPolicy,
  type StormLimits,
} from './config.js';
import type { CountAndBytes, ReceiveLimits } from './receive-limits.js';

export class ConfigError extends Error {
  readonly code = 'ERR_LASTGASP_CONFIG';
  constructor(
    readonly field: string,
    reason: string,
  ) {
    super(`${field}: ${reason}`);
    this.name = 'ConfigError';
  }
}

type Obj = Record<string, unknown>;

function isObject(value: unknown): value is Obj {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Reads one object level; remembers which keys were consumed so leftovers can be reported. */
class Section {
  private readonly seen = new Set<string>();
  constructor(
    private readonly raw: Obj,
    private readonly path: string,
  ) {}

  field(key: string): string {
    return this.path === '' ? key : `${this.path}.${key}`;
  }

  private take(key: string): unknown {
    this.seen.add(key);
    return this.raw[key];
  }

  bool(key: string, fallback: boolean): boolean {
    const v = this.take(key);
    if (v === undefined) return fallback;
    if (typeof v !== 'boolean') throw new ConfigError(this.field(key), 'must be true or false');
    return v;
  }

  str(key: string, fallback: string, opts: { allowEmpty?: boolean } = {}): string {
    const v = this.take(key);
    if (v === undefined) return fallback;
    if (typeof v !== 'string') throw new ConfigError(this.field(key), 'must be a string');
    if (v === '' && opts.allowEmpty !== true) throw new ConfigError(this.field(key), 'must not be empty');
    return v;
  }

  optionalStr(key: string, fallback: string | null): string | null {
    const v = this.take(key);
    if (v === undefined || v === null) return fallback;
    if (typeof v !== 'string' || v === '') throw new ConfigError(this.field(key), 'must be a non-empty string');
    return v;
  }

  oneOf<T extends string>(key: string, allowed: readonly T[], fallback: T): T {
    const v = this.take(key);
    if (v === undefined) return fallback;
    const found = allowed.find((a) => a === v);
    if (found === undefined) throw new ConfigError(this.field(key), `must be one of ${allowed.join(', ')}`);
    return found;
  }

  positiveInt(key: string, fallback: number): number {
    const v = this.take(key);
    if (v === undefined) return fallback;
    if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) {
      throw new ConfigError(this.field(key), 'must be a positive integer');
    }
    return v;
  }

  percent(key: string, fallback: number): number {
    const v = this.take(key);
    if (v === undefined) return fallback;
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0 || v > 100) {
      throw new ConfigError(this.field(key), 'must be a number greater than 0 and at most 100');
    }
    return v;
  }

  listen(key: string, fallback: ListenAddress): ListenAddress {
    const v = this.take(key);
    if (v === undefined) return fallback;
    if (typeof v !== 'string') throw new ConfigError(this.field(key), 'must be a string HOST:PORT');
    const parsed = parseListenAddress(v);
    if (parsed === null) throw new ConfigError(this.field(key), `"${v}" is not HOST:PORT (IPv6 in brackets)`);
    return parsed;
  }

  /** A Go-style duration (`400ms`, `1h30m`, `7d`) in ms, within [min, max]. */
  duration(key: string, fallback: number, min: number, max: number): number {
    const v = this.take(key);
    if (v === undefined) return fallback;
    const ms = typeof v === 'string' ? parseDuration(v) : null;
    if (ms === null) throw new ConfigError(this.field(key), `must be a duration such as ${DURATION_EXAMPLES}`);
    if (ms < min || ms > max) throw new ConfigError(this.field(key), `must be between ${formatMs(min)} and ${formatMs(max)}`);
    return ms;
  }

  optionalPort(key: string, fallback: number | null): number | null {
    const v = this.take(key);
    if (v === undefined || v === null) return fallback;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > 65535) throw new ConfigError(this.field(key), 'must be a port 1-65535 (or null: the kubelet port)');
    return v;
  }

  section(key: string): Section {
    const v = this.take(key);
    if (v === undefined || v === null) return new Section({}, this.field(key));
    if (!isObject(v)) throw new ConfigError(this.field(key), 'must be a mapping');
    return new Section(v, this.field(key));
  }

  /** Throws on the first key nobody read. */
  done(): void {
    for (const key of Object.keys(this.raw)) {
      if (!this.seen.has(key)) throw new ConfigError(this.field(key), 'unknown setting');
    }
  }
}

/** `HOST:PORT`, `[v6]:PORT`; port 0..65535 (0 = any free port). */
export function parseListenAddress(text: string): ListenAddress | null {
  const m = /^\[([^\]]+)\]:(\d{1,5})$/.exec(text) ?? /^([^:[\]]*):(\d{1,5})$/.exec(text);
  if (m === null) return null;
  const port = Number(m[2]);
  if (port > 65535) return null;
  const host = m[1] === undefined || m[1] === '' ? '::' : m[1];
  return { host, port };
}

function readProofOfDeath(s: Section, d: ProofOfDeath): ProofOfDeath {
  const p: ProofOfDeath = {
    enabled: s.bool('enabled', d.enabled),
    port: s.optionalPort('port', d.port),
    attempts: s.positiveInt('attempts', d.attempts),
    windowMs: s.duration('window', d.windowMs, 0, 10_000),
    attemptTimeoutMs: s.duration('attemptTimeout', d.attemptTimeoutMs, 10, 10_000),
    settleMs: s.duration('settle', d.settleMs, 0, 10_000),
    selfCheckIntervalMs: s.duration('selfCheckInterval', d.selfCheckIntervalMs, 10_000, 86_400_000),
    selfCheckPerSecond: s.positiveInt('selfCheckPerSecond', d.selfCheckPerSecond),
  };
  s.done();
  if (p.attempts > 20) throw new ConfigError(s.field('attempts'), 'must be at most 20');
  if (p.attempts > 1 && p.windowMs === 0) throw new ConfigError(s.field('window'), 'must be more than 0 with several attempts');
  return p;
}

function readNonFatal(s: Section, d: NonFatalPolicy): NonFatalPolicy {
  const p: NonFatalPolicy = {
    events: s.bool('events', d.events),
    seriesPeriodMs: s.duration('seriesPeriod', d.seriesPeriodMs, 60_000, 86_400_000),
    seriesRefreshMs: s.duration('seriesRefresh', d.seriesRefreshMs, 1000, 3_600_000),
    records: s.bool('records', d.records),
    recordsPerNodePerHour: s.positiveInt('recordsPerNodePerHour', d.recordsPerNodePerHour),
    perSourceBurst: s.positiveInt('perSourceBurst', d.perSourceBurst),
    perSourcePerMinute: s.positiveInt('perSourcePerMinute', d.perSourcePerMinute),
  };
  s.done();
  if (p.seriesRefreshMs > p.seriesPeriodMs) throw new ConfigError(s.field('seriesRefresh'), 'must not be longer than seriesPeriod');
  return p;
}

function readRetention(s: Section, d: RetentionPolicy): RetentionPolicy {
  const r: RetentionPolicy = {
    maxAgeMs: s.duration('maxAge', d.maxAgeMs, 3_600_000, 3650 * 86_400_000),
    maxRecords: s.positiveInt('maxRecords', d.maxRecords),
  };
  s.done();
  return r;
}

function readPolicy(s: Section, d: RemediationPolicy): RemediationPolicy {
  const storm = s.section('storm');
  const stormLimits: StormLimits = {
    maxNodesPerWindow: storm.positiveInt('maxNodesPerWindow', d.storm.maxNodesPerWindow),
    windowSeconds: storm.positiveInt('windowSeconds', d.storm.windowSeconds),
    maxPercentOfReadyNodes: storm.percent('maxPercentOfReadyNodes', d.storm.maxPercentOfReadyNodes),
  };
  storm.done();
  const excludeNodeSelector = s.str('excludeNodeSelector', d.excludeNodeSelector, { allowEmpty: true });
  try {
    parseLabelSelector(excludeNodeSelector);
  } catch (err) {
    throw new ConfigError(s.field('excludeNodeSelector'), err instanceof Error ? err.message : String(err));
  }
  const annotationPrefix = s.str('annotationPrefix', d.annotationPrefix);
  if (!/^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/.test(annotationPrefix)) {
    throw new ConfigError(s.field('annotationPrefix'), 'must be a DNS subdomain, e.g. lastgasp.dev');
  }
  const policy: RemediationPolicy = {
    mode: s.oneOf('mode', ['immediate', 'confirm'] as const, d.mode),
    nonFatal: readNonFatal(s.section('nonFatal'), d.nonFatal),
    retention: readRetention(s.section('retention'), d.retention),
    proofOfDeath: readProofOfDeath(s.section('proofOfDeath'), d.proofOfDeath),
    dryRun: s.bool('dryRun', d.dryRun),
    nodeAction: s.oneOf('nodeAction', ['delete', 'taint', 'none'] as const, d.nodeAction),
    confirmTimeoutSeconds: s.positiveInt('confirmTimeoutSeconds', d.confirmTimeoutSeconds),
    confirmLeaseStaleSeconds: s.positiveInt('confirmLeaseStaleSeconds', d.confirmLeaseStaleSeconds),
    storm: stormLimits,
    excludeNodeSelector,
    annotationPrefix,
  };
  s.done();
  return policy;
}

function readLeaderElection(s: Section, d: LeaderElectionTimings): LeaderElectionTimings {
  const t: LeaderElectionTimings = {
    leaseDurationSeconds: s.positiveInt('leaseDurationSeconds', d.leaseDurationSeconds),
    renewDeadlineSeconds: s.positiveInt('renewDeadlineSeconds', d.renewDeadlineSeconds),
    retryPeriodSeconds: s.positiveInt('retryPeriodSeconds', d.retryPeriodSeconds),
  };
  s.done();
  // client-go's invariants: a leader must give up before its lease can be taken over.
  if (t.renewDeadlineSeconds >= t.leaseDurationSeconds) {
    throw new ConfigError(s.field('renewDeadlineSeconds'), 'must be less than leaseDurationSeconds');
  }
  if (t.retryPeriodSeconds >= t.renewDeadlineSeconds) {
    throw new ConfigError(s.field('retryPeriodSeconds'), 'must be less than renewDeadlineSeconds');
  }
  return t;
}

function readGrpc(s: Section, d: GrpcTls): GrpcTls {
  const tls: GrpcTls = {
    tlsCert: s.optionalStr('tlsCert', d.tlsCert),
    tlsKey: s.optionalStr('tlsKey', d.tlsKey),
    clientCa: s.optionalStr('clientCa', d.clientCa),
  };
  s.done();
  if ((tls.tlsCert === null) !== (tls.tlsKey === null)) {
    throw new ConfigError(s.field(tls.tlsCert === null ? 'tlsCert' : 'tlsKey'), 'tlsCert and tlsKey go together');
  }
  if (tls.clientCa !== null && tls.tlsCert === null) {
    throw new ConfigError(s.field('clientCa'), 'client certificates need tlsCert and tlsKey');
  }
  return tls;
}

function readLimits(s: Section, d: ReceiveLimits): ReceiveLimits {
  const queue = s.section('udpQueue');
  const fragments = s.section('fragments');
  const hosts = s.section('hosts');
  const history = s.section('history');
  const series = s.section('eventSeries');
  const tier = (key: keyof ReceiveLimits['hosts']): CountAndBytes => {
    const t = hosts.section(key);
    const out = { hosts: t.positiveInt('hosts', d.hosts[key].hosts), bytes: t.positiveInt('bytes', d.hosts[key].bytes) };
    t.done();
    return out;
  };
  const limits: ReceiveLimits = {
    udpQueue: { datagrams: queue.positiveInt('datagrams', d.udpQueue.datagrams), bytes: queue.positiveInt('bytes', d.udpQueue.bytes) },
    fragments: {
      inFlight: fragments.positiveInt('inFlight', d.fragments.inFlight),
      inFlightPerHost: fragments.positiveInt('inFlightPerHost', d.fragments.inFlightPerHost),
      bytes: fragments.positiveInt('bytes', d.fragments.bytes),
    },
    hosts: { node: tier('node'), incident: tier('incident'), unknown: tier('unknown') },
    history: {
      incidents: history.positiveInt('incidents', d.history.incidents),
      incidentBytes: history.positiveInt('incidentBytes', d.history.incidentBytes),
      incidentsPerUnknownSource: history.positiveInt('incidentsPerUnknownSource', d.history.incidentsPerUnknownSource),
      events: history.positiveInt('events', d.history.events),
      eventBytes: history.positiveInt('eventBytes', d.history.eventBytes),
    },
    eventSeries: { series: series.positiveInt('series', d.eventSeries.series), bytes: series.positiveInt('bytes', d.eventSeries.bytes) },
    rateLimitedSources: s.positiveInt('rateLimitedSources', d.rateLimitedSources),
  };
  for (const section of [queue, fragments, hosts, history, series, s]) section.done();
  return limits;
}

/** `raw` is the merged file-and-flags object; `defaults` from `defaultConfig`. */
export function validateConfig(raw: unknown, defaults: CollectorConfig): CollectorConfig {
  if (raw !== undefined && raw !== null && !isObject(raw)) throw new ConfigError('(top level)', 'must be a mapping');
  const s = new Section(isObject(raw) ? raw : {}, '');
  const config: CollectorConfig = {
    kubeconfig: s.optionalStr('kubeconfig', defaults.kubeconfig),
    standalone: s.bool('standalone', defaults.standalone),
    udpListen: s.listen('udpListen', defaults.udpListen),
    udpRecvBufferBytes: s.positiveInt('udpRecvBufferBytes', defaults.udpRecvBufferBytes),
    udpReceiver: s.oneOf('udpReceiver', ['auto', 'native', 'dgram'] as const, defaults.udpReceiver),
    grpcListen: s.listen('grpcListen', defaults.grpcListen),
    httpListen: s.listen('httpListen', defaults.httpListen),
    identity: s.str('identity', defaults.identity),
    leaseNamespace: s.str('leaseNamespace', defaults.leaseNamespace),
    leaseName: s.str('leaseName', defaults.leaseName),
    rulesFile: s.optionalStr('rulesFile', defaults.rulesFile),
    trustLegacy: s.bool('trustLegacy', defaults.trustLegacy),
    attributeExternalIP: s.bool('attributeExternalIP', defaults.attributeExternalIP),
    logLevel: s.oneOf('logLevel', LOG_LEVELS, defaults.logLevel),
    logFormat: s.oneOf('logFormat', LOG_FORMATS, defaults.logFormat),
    grpc: readGrpc(s.section('grpc'), defaults.grpc),
    policy: readPolicy(s.section('policy'), defaults.policy),
    leaderElection: readLeaderElection(s.section('leaderElection'), defaults.leaderElection),
    takeoverWindowSeconds: s.positiveInt('takeoverWindowSeconds', defaults.takeoverWindowSeconds),
    unknownSourceLogIntervalSeconds: s.positiveInt(
      'unknownSourceLogIntervalSeconds',
      defaults.unknownSourceLogIntervalSeconds,
    ),
    nodeWatchSilenceSeconds: s.positiveInt('nodeWatchSilenceSeconds', defaults.nodeWatchSilenceSeconds),
    limits: readLimits(s.section('limits'), defaults.limits),
  };
  s.done();
  return config;
}

/** Deep merge for plain objects; `over` wins. Arrays and scalars are replaced, not merged. */
export function mergeConfigObjects(base: unknown, over: unknown): unknown {
  if (!isObject(base) || !isObject(over)) return over === undefined ? base : over;
  const out: Obj = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = mergeConfigObjects(base[k], v);
  return out;
}
