import { expect } from 'chai';
import { defaultConfig } from './config/config.js';
import { validateConfig } from './config/validate-config.js';
import { parseServeArgs } from './serve-command.js';

const defaults = defaultConfig({ identity: 'pod-a', namespace: 'lastgasp' });

describe('parseServeArgs', () => {
  const cases: [string, string[], Record<string, unknown>][] = [
    ['no flags → no keys (the file decides)', [], {}],
    ['--refuse-legacy → trustLegacy false', ['--refuse-legacy'], { trustLegacy: false }],
    ['--dry-run → policy.dryRun', ['--dry-run'], { policy: { dryRun: true } }],
    ['--udp-listen and --rules → their camelCase keys', ['--udp-listen', '127.0.0.1:0', '--rules', 'r.json'], { udpListen: '127.0.0.1:0', rulesFile: 'r.json' }],
    ['--udp-receiver dgram → udpReceiver', ['--udp-receiver', 'dgram'], { udpReceiver: 'dgram' }],
    ['--grpc-tls-cert and --grpc-tls-key → grpc section', ['--grpc-tls-cert', 'c', '--grpc-tls-key', 'k'], { grpc: { tlsCert: 'c', tlsKey: 'k' } }],
  ];
  for (const [name, argv, want] of cases) {
    it(name, () => expect(parseServeArgs(argv).flags).to.deep.equal(want));
  }

  it('--refuse-legacy and the default validate to trustLegacy false; --trust-legacy to true', () => {
    expect(validateConfig(parseServeArgs(['--refuse-legacy']).flags, defaults).trustLegacy).to.equal(false);
    expect(validateConfig(parseServeArgs([]).flags, defaults).trustLegacy).to.equal(false);
    expect(validateConfig(parseServeArgs(['--trust-legacy']).flags, defaults).trustLegacy).to.equal(true);
  });

  it('--config FILE and --help', () => {
    expect(parseServeArgs(['--config', 'c.yaml'])).to.include({ configFile: 'c.yaml', help: false });
    expect(parseServeArgs(['-h']).help).to.equal(true);
  });

  it('an unknown flag → throws naming it', () => {
    expect(() => parseServeArgs(['--refuse-legacyy'])).to.throw(/refuse-legacyy/);
  });
});
