import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { ConfigError, loadConfig, resolveConfig } from './config.js';

describe('agent config', () => {
  const env = { NODE_NAME: 'worker-1', POD_NAMESPACE: 'lastgasp' };

  it('defaults from env: node, namespace; contract defaults for the rest', async () => {
    const config = await loadConfig([], env);
    expect(config).to.deep.include({
      nodeName: 'worker-1',
      collectorNamespace: 'lastgasp',
      collectorService: 'lastgasp-collector',
      collectorPortName: 'netconsole',
      staticCollectors: null,
      httpListen: { host: '::', port: 6669 },
      configfsRoot: '/sys/kernel/config',
      targetPrefix: 'lastgasp',
      recheckIntervalMs: 60_000,
      canaryIntervalMs: 21_600_000,
      ipMonitor: true,
    });
  });

  it('--static-collectors with IPv4 and IPv6 → endpoints; no namespace needed', async () => {
    const config = await loadConfig(['--static-collectors', '10.0.0.5:6666,[FD00::5]:7000', '--node-name', 'n1'], {});
    expect(config !== 'help' && config.staticCollectors).to.deep.equal([
      { address: '10.0.0.5', port: 6666 },
      { address: 'fd00::5', port: 7000 },
    ]);
  });

  it('config file values, overridden by flags', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lastgasp-agent-'));
    try {
      const file = join(dir, 'agent.yaml');
      await writeFile(file, 'recheckInterval: 30s\ncanaryInterval: "0"\ntargetPrefix: lg\nstaticCollectors: ["10.0.0.7:6666"]\n');
      const config = await loadConfig(['--config', file, '--target-prefix', 'mine', '--no-ip-monitor'], env);
      expect(config).to.deep.include({ recheckIntervalMs: 30_000, canaryIntervalMs: 0, targetPrefix: 'mine', ipMonitor: false });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('durations in the shared syntax: 1h30m and days', async () => {
    const config = await loadConfig(['--recheck-interval', '1m30s', '--canary-interval', '1d12h'], env);
    expect(config).to.deep.include({ recheckIntervalMs: 90_000, canaryIntervalMs: 129_600_000 });
  });

  const bad = [
    { name: 'no node name', argv: [], env: { POD_NAMESPACE: 'x' }, field: 'nodeName' },
    { name: 'no namespace and no static list', argv: ['--node-name', 'n'], env: {}, field: 'collectorNamespace' },
    { name: 'a bad static entry', argv: ['--static-collectors', '10.0.0.5'], env, field: 'staticCollectors' },
    { name: 'a hostname in the static list', argv: ['--static-collectors', 'collector:6666'], env, field: 'staticCollectors' },
    { name: 'a bad recheck interval', argv: ['--recheck-interval', 'soon'], env, field: 'recheckInterval' },
    { name: 'a bad http listen', argv: ['--http-listen', 'nowhere'], env, field: 'httpListen' },
    { name: 'a prefix with a slash', argv: ['--target-prefix', 'a/b'], env, field: 'targetPrefix' },
    { name: 'an unknown log level', argv: ['--log-level', 'loud'], env, field: 'logLevel' },
    { name: 'an unknown flag', argv: ['--frobnicate', 'x'], env, field: 'flags' },
  ];
  for (const b of bad) {
    it(`${b.name} → ConfigError naming ${b.field}`, async () => {
      const err: unknown = await loadConfig(b.argv, b.env).then(() => null, (e: unknown) => e);
      expect(err).to.be.instanceOf(ConfigError);
      expect((err as ConfigError).field).to.equal(b.field);
    });
  }

  it('an unknown key in the file → ConfigError naming that key', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lastgasp-agent-'));
    try {
      const file = join(dir, 'agent.json');
      await writeFile(file, '{"nodeName": "n", "staticCollectors": "10.0.0.5:6666", "recheck": "1s"}');
      const err: unknown = await loadConfig(['--config', file], {}).then(() => null, (e: unknown) => e);
      expect(err).to.be.instanceOf(ConfigError);
      expect((err as ConfigError).field).to.equal('recheck');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('sysdata, rate limit and the panic-reboot remedy: defaults, values, and errors naming the field', async () => {
    const defaults = await loadConfig([], env);
    if (defaults === 'help') throw new Error('help');
    expect(defaults).to.deep.include({ sysdata: ['msgid', 'cpu_nr', 'taskname'], ratelimit: null, panicReboot: 'report' });
    const set = await loadConfig(['--sysdata', 'msgid', '--ratelimit-interval', '5s', '--ratelimit-burst', '50', '--panic-reboot', 'set-panic-zero'], env);
    if (set === 'help') throw new Error('help');
    expect(set).to.deep.include({ sysdata: ['msgid'], ratelimit: { intervalMs: 5000, burst: 50 }, panicReboot: 'set-panic-zero' });
    expect(resolveConfig({ sysdata: 'none' }, env).sysdata).to.deep.equal([]);
    const field = (raw: Record<string, unknown>) => {
      try {
        resolveConfig(raw, env);
        return null;
      } catch (err) {
        return err instanceof ConfigError ? err.field : String(err);
      }
    };
    expect(field({ sysdata: 'msgid,cpu' })).to.equal('sysdata');
    expect(field({ ratelimitBurst: '5' })).to.equal('ratelimitInterval');
    expect(field({ ratelimitInterval: '5s', ratelimitBurst: '0' })).to.equal('ratelimitBurst');
    expect(field({ panicReboot: 'reboot' })).to.equal('panicReboot');
  });

  it('resolveConfig accepts a static list given as an array', () => {
    expect(resolveConfig({ nodeName: 'n', staticCollectors: ['10.0.0.5:1'] }, {}).staticCollectors).to.have.length(1);
  });
});
