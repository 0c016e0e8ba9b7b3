import { expect } from 'chai';
import { defaultConfig } from './config.js';
import { ConfigError, mergeConfigObjects, parseListenAddress, validateConfig } from './validate-config.js';

const defaults = defaultConfig({ identity: 'pod-a', namespace: 'lastgasp' });

describe('validateConfig', () => {
  it('an empty file gives the documented defaults', () => {
    const c = validateConfig({}, defaults);
    expect(c.udpListen).to.deep.equal({ host: '::', port: 6666 });
    expect(c.grpcListen.port).to.equal(6667);
    expect(c.httpListen.port).to.equal(6668);
    expect(c.leaseName).to.equal('lastgasp-collector');
    expect(c.policy.nodeAction).to.equal('delete');
    expect(c.policy.mode).to.equal('immediate');
    expect(c.policy.excludeNodeSelector).to.equal('node-role.kubernetes.io/control-plane');
    expect(c.trustLegacy).to.equal(false);
    expect(c.udpReceiver).to.equal('auto');
  });

  it('udpReceiver: dgram → node:dgram forced', () => {
    expect(validateConfig({ udpReceiver: 'dgram' }, defaults).udpReceiver).to.equal('dgram');
  });

  it('trustLegacy: false → legacy text refused', () => {
    expect(validateConfig({ trustLegacy: false }, defaults).trustLegacy).to.equal(false);
  });

  const errors: [string, unknown, string][] = [
    ['storm limit zero', { policy: { storm: { maxNodesPerWindow: 0 } } }, 'policy.storm.maxNodesPerWindow: must be a positive integer'],
    ['storm limit fractional', { policy: { storm: { maxNodesPerWindow: 1.5 } } }, 'policy.storm.maxNodesPerWindow: must be a positive integer'],
    ['percent above 100', { policy: { storm: { maxPercentOfReadyNodes: 101 } } }, 'policy.storm.maxPercentOfReadyNodes'],
    ['unknown node action', { policy: { nodeAction: 'reboot' } }, 'policy.nodeAction: must be one of delete, taint, none'],
    ['misspelt key', { policy: { dryrun: true } }, 'policy.dryrun: unknown setting'],
    ['dryRun as string', { policy: { dryRun: 'yes' } }, 'policy.dryRun: must be true or false'],
    ['trustLegacy as string', { trustLegacy: 'no' }, 'trustLegacy: must be true or false'],
    ['bad listen address', { udpListen: '6666' }, 'udpListen:'],
    ['unknown UDP receiver', { udpReceiver: 'epoll' }, 'udpReceiver: must be one of auto, native, dgram'],
    ['port out of range', { grpcListen: '[::]:70000' }, 'grpcListen:'],
    ['bad selector', { policy: { excludeNodeSelector: 'a in (b' } }, 'policy.excludeNodeSelector:'],
    ['renew deadline ≥ lease', { leaderElection: { leaseDurationSeconds: 5, renewDeadlineSeconds: 5 } }, 'leaderElection.renewDeadlineSeconds'],
    ['tls cert without key', { grpc: { tlsCert: '/c.pem' } }, 'grpc.tlsKey'],
    ['log level', { logLevel: 'loud' }, 'logLevel: must be one of'],
    ['policy not a mapping', { policy: 3 }, 'policy: must be a mapping'],
    ['host tier bytes zero', { limits: { hosts: { node: { bytes: 0 } } } }, 'limits.hosts.node.bytes: must be a positive integer'],
    ['unknown host tier', { limits: { hosts: { spoofed: { hosts: 1 } } } }, 'limits.hosts.spoofed: unknown setting'],
    ['misspelt fragment bound', { limits: { fragments: { maxBytes: 1 } } }, 'limits.fragments.maxBytes: unknown setting'],
    ['history per-source bound fractional', { limits: { history: { incidentsPerUnknownSource: 1.5 } } }, 'limits.history.incidentsPerUnknownSource'],
    ['queue bytes as a string', { limits: { udpQueue: { bytes: '32Mi' } } }, 'limits.udpQueue.bytes: must be a positive integer'],
    ['probe window as a number', { policy: { proofOfDeath: { window: 400 } } }, 'policy.proofOfDeath.window: must be a duration such as 500ms, 30s'],
    ['probe window too long', { policy: { proofOfDeath: { window: '1m' } } }, 'policy.proofOfDeath.window: must be between'],
    ['probe attempt timeout too short', { policy: { proofOfDeath: { attemptTimeout: '1ms' } } }, 'policy.proofOfDeath.attemptTimeout: must be between'],
    ['settle delay a bare number', { policy: { proofOfDeath: { settle: '300' } } }, 'policy.proofOfDeath.settle: must be a duration'],
    ['self-check more often than 10s', { policy: { proofOfDeath: { selfCheckInterval: '5s' } } }, 'policy.proofOfDeath.selfCheckInterval: must be between'],
    ['self-check rate zero', { policy: { proofOfDeath: { selfCheckPerSecond: 0 } } }, 'policy.proofOfDeath.selfCheckPerSecond: must be a positive integer'],
    ['21 attempts', { policy: { proofOfDeath: { attempts: 21 } } }, 'policy.proofOfDeath.attempts: must be at most 20'],
    ['several attempts in no time', { policy: { proofOfDeath: { attempts: 3, window: '0s' } } }, 'policy.proofOfDeath.window: must be more than 0 with several attempts'],
    ['probe port 0', { policy: { proofOfDeath: { port: 0 } } }, 'policy.proofOfDeath.port: must be a port 1-65535'],
    ['probe enabled as a string', { policy: { proofOfDeath: { enabled: 'on' } } }, 'policy.proofOfDeath.enabled: must be true or false'],
    ['misspelt probe key', { policy: { proofOfDeath: { timeout: '1s' } } }, 'policy.proofOfDeath.timeout: unknown setting'],
    ['series period as seconds', { policy: { nonFatal: { seriesPeriod: 3600 } } }, 'policy.nonFatal.seriesPeriod: must be a duration'],
    ['series period under a minute', { policy: { nonFatal: { seriesPeriod: '30s' } } }, 'policy.nonFatal.seriesPeriod: must be between'],
    ['refresh longer than the period', { policy: { nonFatal: { seriesPeriod: '10m', seriesRefresh: '20m' } } }, 'policy.nonFatal.seriesRefresh: must not be longer than seriesPeriod'],
    ['records as a string', { policy: { nonFatal: { records: 'yes' } } }, 'policy.nonFatal.records: must be true or false'],
    ['per-source burst zero', { policy: { nonFatal: { perSourceBurst: 0 } } }, 'policy.nonFatal.perSourceBurst: must be a positive integer'],
    ['misspelt non-fatal key', { policy: { nonFatal: { event: true } } }, 'policy.nonFatal.event: unknown setting'],
    ['retention under an hour', { policy: { retention: { maxAge: '10m' } } }, 'policy.retention.maxAge: must be between'],
    ['retention count zero', { policy: { retention: { maxRecords: 0 } } }, 'policy.retention.maxRecords: must be a positive integer'],
    ['series bound zero', { limits: { eventSeries: { bytes: 0 } } }, 'limits.eventSeries.bytes: must be a positive integer'],
  ];
  for (const [name, raw, message] of errors) {
    it(`${name} → ${message}`, () => {
      expect(() => validateConfig(raw, defaults))
        .to.throw(ConfigError)
        .with.property('message')
        .that.contains(message);
    });
  }

  it('proofOfDeath: Go durations → ms; port null → each Node\'s kubelet port; unset keys keep their defaults', () => {
    const p = validateConfig({ policy: { proofOfDeath: { window: '1s', attemptTimeout: '150ms', selfCheckInterval: '1h30m', port: null } } }, defaults).policy.proofOfDeath;
    expect(p).to.deep.equal({ ...defaults.policy.proofOfDeath, windowMs: 1000, attemptTimeoutMs: 150, selfCheckIntervalMs: 5_400_000, port: null });
    expect(defaults.policy.proofOfDeath).to.include({ enabled: true, attempts: 3, windowMs: 300, settleMs: 300 });
  });

  it('nonFatal and retention: Go durations (days too) → ms; defaults: an Event series an hour, no records, 30 days or 1000 records', () => {
    const c = validateConfig({ policy: { nonFatal: { seriesPeriod: '2h', seriesRefresh: '1m', records: true }, retention: { maxAge: '7d' } } }, defaults);
    expect(c.policy.nonFatal).to.deep.equal({ ...defaults.policy.nonFatal, seriesPeriodMs: 7_200_000, seriesRefreshMs: 60_000, records: true });
    expect(c.policy.retention).to.deep.equal({ maxAgeMs: 7 * 86_400_000, maxRecords: 1000 });
    expect(defaults.policy.nonFatal).to.include({ events: true, records: false, seriesPeriodMs: 3_600_000 });
    expect(defaults.policy.retention).to.deep.equal({ maxAgeMs: 30 * 86_400_000, maxRecords: 1000 });
  });

  it('limits: one bound set → that bound, every other at its default', () => {
    const c = validateConfig({ limits: { hosts: { unknown: { bytes: 1024 } }, history: { events: 5 } } }, defaults);
    expect(c.limits.hosts.unknown).to.deep.equal({ hosts: defaults.limits.hosts.unknown.hosts, bytes: 1024 });
    expect(c.limits.history.events).to.equal(5);
    expect(c.limits.hosts.node).to.deep.equal(defaults.limits.hosts.node);
    expect(c.limits.fragments).to.deep.equal(defaults.limits.fragments);
  });

  it('flags win over the file, nested keys merge', () => {
    const merged = mergeConfigObjects(
      { udpListen: '0.0.0.0:1', policy: { nodeAction: 'taint', storm: { windowSeconds: 60 } } },
      { udpListen: '127.0.0.1:2', policy: { dryRun: true } },
    );
    const c = validateConfig(merged, defaults);
    expect(c.udpListen).to.deep.equal({ host: '127.0.0.1', port: 2 });
    expect(c.policy.nodeAction).to.equal('taint');
    expect(c.policy.dryRun).to.equal(true);
    expect(c.policy.storm.windowSeconds).to.equal(60);
  });
});

describe('parseListenAddress', () => {
  const cases: [string, ReturnType<typeof parseListenAddress>][] = [
    ['[::]:6666', { host: '::', port: 6666 }],
    ['127.0.0.1:0', { host: '127.0.0.1', port: 0 }],
    [':6668', { host: '::', port: 6668 }],
    ['[fd00::1]:80', { host: 'fd00::1', port: 80 }],
    ['::1:80', null],
    ['host', null],
    ['1.2.3.4:99999', null],
  ];
  for (const [input, want] of cases) it(input, () => expect(parseListenAddress(input)).to.deep.equal(want));
});
