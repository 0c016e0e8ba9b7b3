// Both long-running binaries, started for real with --log-format json and text: the first line they
// write names the version, the revision and the Node.js version, in the format asked for.
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { VERSION } from '@lastgasp/proto/version';
import { expect } from 'chai';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The first stdout line of `entry args`, then the process is stopped. */
function firstLine(entry: string, args: string[], env: Record<string, string> = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=lastgasp-source', entry, ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    let first: string | undefined;
    createInterface({ input: child.stdout }).once('line', (line) => {
      first = line;
      child.kill('SIGKILL');
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      if (first !== undefined) resolve(first);
      else reject(new Error(`${entry} exited ${String(code)} before writing a line:\n${stderr}`));
    });
  });
}

describe('--log-format json|text: the first line names the build', function () {
  this.timeout(60_000);
  let dir = '';
  let agentArgs: string[] = [];
  const collectorArgs = ['serve', '--standalone', '--udp-listen', '127.0.0.1:0', '--grpc-listen', '127.0.0.1:0', '--http-listen', '127.0.0.1:0'];
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lastgasp-logs-'));
    // A kubeconfig naming a port nothing listens on: the agent logs its first line before any call.
    const kubeconfig = join(dir, 'kubeconfig');
    await writeFile(
      kubeconfig,
      'apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: "https://127.0.0.1:9", insecure-skip-tls-verify: true}}]\nusers: [{name: u, user: {token: x}}]\ncontexts: [{name: c, context: {cluster: c, user: u}}]\ncurrent-context: c\n',
    );
    agentArgs = ['--kubeconfig', kubeconfig, '--node-name', 'n1', '--static-collectors', '127.0.0.9:6666', '--configfs-root', dir, '--http-listen', '127.0.0.1:0', '--no-ip-monitor', '--canary-interval', '0'];
  });
  after(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const binaries: [string, string, () => string[]][] = [
    ['lastgasp-collector', 'collector/src/main.ts', () => collectorArgs],
    ['lastgasp-agent', 'agent/src/main.ts', () => agentArgs],
  ];
  for (const [name, entry, args] of binaries) {
    it(`${name} --log-format json (the default) → a JSON object with version, revision and nodeVersion`, async () => {
      const line = await firstLine(entry, args(), { LASTGASP_REVISION: 'abc1234' });
      const entryJson = JSON.parse(line) as Record<string, unknown>;
      expect(entryJson).to.include({ msg: `${name} starting`, version: VERSION, revision: 'abc1234', nodeVersion: process.versions.node });
    });

    it(`${name} --log-format text → one readable line: time, level, message, key=value`, async () => {
      const line = await firstLine(entry, [...args(), '--log-format', 'text']);
      expect(line).to.match(new RegExp(`^\\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z INFO  ${name} starting `));
      expect(line).to.contain(`version=${VERSION} revision=unknown nodeVersion=${process.versions.node}`);
    });

    it(`${name} --log-format yaml → refused at start-up, naming logFormat`, async () => {
      const err = await firstLine(entry, [...args(), '--log-format', 'yaml']).then(
        () => new Error('started'),
        (e: unknown) => e as Error,
      );
      expect(err.message).to.match(/exited 2/).and.to.match(/logFormat/);
    });
  }
});
