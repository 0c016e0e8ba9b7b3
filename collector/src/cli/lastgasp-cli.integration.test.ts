// The `lastgasp` CLI as a real process: against an API server in this process with known data, and
// against the real collector process (standalone: no Kubernetes API) fed a panic over UDP.
import { freePort, waitFor } from '@lastgasp/testbed/testing';
import { expect } from 'chai';
import { parse as parseYaml } from 'yaml';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VERSION } from '@lastgasp/proto/version';
import { createSocket } from 'node:dgram';
import { fileURLToPath } from 'node:url';
import { startGrpcServer, type GrpcServer } from '../api/grpc-server.js';
import { IncidentHistory } from '../api/incident-history.js';
import { composeStatusSource } from '../api/status-source.js';
import { makeHost, makeIncident, makeStatus, recordingLogger, T0 } from '../../test-support/api-fixtures.js';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const NODE_ARGS = ['--import', 'tsx', '--conditions=lastgasp-source'];
const CLI = 'collector/src/cli/main.ts';
const COLLECTOR = 'collector/src/main.ts';

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

const children = new Set<ChildProcess>();

function start(script: string, args: string[], env: Record<string, string> = {}): ChildProcess {
  const child = spawn(process.execPath, [...NODE_ARGS, script, ...args], {
    cwd: REPO,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

function output(child: ChildProcess): { stdout: () => string; stderr: () => string; exited: Promise<number | null> } {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (b: Buffer) => (stdout += b.toString()));
  child.stderr?.on('data', (b: Buffer) => (stderr += b.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { stdout: () => stdout, stderr: () => stderr, exited };
}

async function cli(args: string[], env: Record<string, string> = {}): Promise<Result> {
  const out = output(start(CLI, args, env));
  const code = await out.exited;
  return { code, stdout: out.stdout(), stderr: out.stderr() };
}

after(() => {
  for (const child of children) child.kill('SIGKILL');
});

describe('kubectl-lastgasp (the kubectl plugin executable)', () => {
  it('found on PATH by that name and run from elsewhere, as kubectl runs a plugin → the lastgasp CLI; kubectl_complete-lastgasp completes it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lastgasp-plugin-'));
    try {
      await symlink(join(REPO, 'collector/bin/kubectl-lastgasp'), join(dir, 'kubectl-lastgasp'));
      const out = execFileSync('kubectl-lastgasp', ['--version'], { cwd: tmpdir(), encoding: 'utf8', env: { ...process.env, PATH: `${dir}:${process.env['PATH'] ?? ''}` } });
      expect(out).to.equal(`lastgasp ${VERSION}\n`);
      // kubectl completes a plugin's arguments by running kubectl_complete-<plugin> from PATH.
      await symlink(join(REPO, 'collector/bin/kubectl_complete-lastgasp'), join(dir, 'kubectl_complete-lastgasp'));
      const completion = execFileSync('kubectl_complete-lastgasp', ['--server', 'x:6667', 'inc'], { cwd: tmpdir(), encoding: 'utf8', env: { ...process.env, PATH: `${dir}:${process.env['PATH'] ?? ''}` } });
      expect(completion).to.equal('incidents\nincident\n:4\n');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('lastgasp CLI process against an API server', function () {
  this.timeout(180_000);
  let server: GrpcServer;
  let history: IncidentHistory;

  before(async () => {
    history = new IncidentHistory();
    history.recordIncidentEvent({ type: 'opened', incident: makeIncident({ id: 'a-panic' }) }, T0, { node: 'worker-1' });
    history.recordIncidentEvent(
      { type: 'opened', incident: makeIncident({ id: 'b-stranger', source: '192.0.2.9', summary: `Kernel panic - not syncing: ${'x'.repeat(200)}` }) },
      T0,
    );
    const source = composeStatusSource(history, { getStatus: () => makeStatus(), listHosts: () => [makeHost('10.0.0.1')] });
    server = await startGrpcServer({ listen: '127.0.0.1:0', source, logger: recordingLogger() });
    server.setServing(true);
  });

  after(async () => {
    await server?.close(1000);
  });

  it('status -o json → JSON with the collector identity; exit 0', async () => {
    const r = await cli(['--server', server.address, 'status', '-o', 'json']);
    expect(r.code, r.stderr).to.equal(0);
    const status = JSON.parse(r.stdout) as { identity: string; startTime: string };
    expect(status.identity).to.equal('collector-0');
    expect(status.startTime).to.equal('2024-12-31T23:00:00.000Z');
  });

  it('status -o yaml → YAML with the collector identity; exit 0', async () => {
    const r = await cli(['--server', server.address, 'status', '-o', 'yaml']);
    expect(r.code, r.stderr).to.equal(0);
    expect(parseYaml(r.stdout)).to.deep.equal(JSON.parse((await cli(['--server', server.address, 'status', '-o', 'json'])).stdout));
  });

  it('incidents with COLUMNS=90 and LASTGASP_SERVER → aligned columns, lines within 90 characters', async () => {
    const r = await cli(['incidents'], { LASTGASP_SERVER: server.address, COLUMNS: '90' });
    expect(r.code, r.stderr).to.equal(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines).to.have.length(3);
    const header = lines[0] ?? '';
    for (const column of ['AGE', 'NODE', 'KIND', 'PHASE', 'SUMMARY']) {
      const at = header.indexOf(column);
      for (const line of lines.slice(1)) expect(line.charAt(at - 1), `column ${column} in "${line}"`).to.equal(' ');
    }
    for (const line of lines) expect([...line].length).to.be.at.most(90);
    expect(lines[1]).to.match(/^b-stranger .*\(192\.0\.2\.9, no node\) +KernelPanic +unresolved +Kernel panic.*…$/);
  });

  it('incident nope → "not found" on stderr; exit 1', async () => {
    const r = await cli(['--server', server.address, 'incident', 'nope']);
    expect(r.code).to.equal(1);
    expect(r.stderr).to.contain('incident "nope" not found');
  });

  it('status against a closed port → "cannot reach"; exit 2', async () => {
    const r = await cli(['--server', `127.0.0.1:${await freePort()}`, 'status']);
    expect(r.code).to.equal(2);
    expect(r.stderr).to.match(/cannot reach the collector at 127\.0\.0\.1:\d+/);
  });

  it('watch -o json --after 0 → one JSON line per event, live ones too; exit 0 when the server shuts down', async () => {
    const watch = output(start(CLI, ['--server', server.address, 'watch', '--after', '0', '-o', 'json']));
    const lines = (): string[] => watch.stdout().split('\n').filter((l) => l !== '');
    await waitFor('2 replayed events', () => (lines().length >= 2 ? true : undefined));
    history.setPhase('a-panic', 'remediated', T0 + 100);
    await waitFor('the live event', () => (lines().length >= 3 ? true : undefined));
    const events = lines().map((l) => JSON.parse(l) as { sequence: string | number; type: string });
    expect(events.map((e) => e.type)).to.deep.equal([
      'INCIDENT_EVENT_TYPE_OPENED',
      'INCIDENT_EVENT_TYPE_OPENED',
      'INCIDENT_EVENT_TYPE_REMEDIATED',
    ]);
    await server.close(1000);
    expect(await watch.exited, watch.stderr()).to.equal(0);
  });
});

describe('lastgasp CLI process against the real collector (standalone)', function () {
  this.timeout(180_000);
  let collector: ChildProcess;
  let log: ReturnType<typeof output>;
  let grpcAddress: string;
  let udp: { host: string; port: number };

  before(async () => {
    collector = start(COLLECTOR, [
      'serve',
      '--standalone',
      '--udp-listen',
      '127.0.0.1:0',
      '--grpc-listen',
      '127.0.0.1:0',
      '--http-listen',
      '127.0.0.1:0',
    ]);
    log = output(collector);
    const started = await waitFor('"collector started" in the collector log', () => {
      const line = log.stdout().split('\n').find((l) => l.includes('"collector started"'));
      return line === undefined ? undefined : (JSON.parse(line) as { grpc: string; udp: string[] });
    });
    grpcAddress = started.grpc;
    const [host, port] = (started.udp[0] ?? '').split(/:(?=\d+$)/);
    udp = { host: host ?? '', port: Number(port) };
  });

  after(async () => {
    if (collector.exitCode === null) {
      collector.kill('SIGTERM');
      await log.exited;
    }
  });

  it('a panic sent over UDP → listed by `lastgasp incidents -o json` as unresolved; `status` says standalone', async () => {
    const socket = createSocket('udp4');
    const records = [
      '4,380,9295000,-;BUG: kernel NULL pointer dereference, address: 0000000000000000',
      '0,381,9295222,-;Kernel panic - not syncing: Fatal exception',
      '0,382,9295300,-;---[ end Kernel panic - not syncing: Fatal exception ]---',
    ];
    for (const record of records) {
      await new Promise<void>((resolve, reject) => socket.send(record, udp.port, udp.host, (err) => (err ? reject(err) : resolve())));
    }
    socket.close();
    const panic = await waitFor('the panic in `lastgasp incidents`', async () => {
      const r = await cli(['--server', grpcAddress, 'incidents', '-o', 'json']);
      const incidents = r.code === 0 ? (JSON.parse(r.stdout) as { kind: string; phase: string; summary: string }[]) : [];
      return incidents.find((i) => i.kind === 'KernelPanic');
    });
    expect(panic.phase).to.equal('INCIDENT_PHASE_UNRESOLVED');
    expect(panic.summary).to.equal('Kernel panic - not syncing: Fatal exception');

    const status = await cli(['--server', grpcAddress, 'status']);
    expect(status.code, status.stderr).to.equal(0);
    expect(status.stdout).to.match(/^Leading +standalone/m);
  });

  it('SIGTERM → the collector stops and the CLI then reports it unreachable (exit 2)', async () => {
    collector.kill('SIGTERM');
    expect(await log.exited, log.stderr()).to.equal(0);
    const r = await cli(['--server', grpcAddress, 'status']);
    expect(r.code).to.equal(2);
  });
});
