// The images as users get them, made by the release: `npm run release` (deploy/src/release) builds
// both Dockerfiles unchanged (only build arguments differ) with buildah on a locally made base image of
// the pinned Node.js, served by a local OCI registry (the distribution registry built from Go modules)
// so the release pins it by digest, pushes both images and the chart there and records the digests.
// podman then runs the images: the collector serves on the host network, classifies a panic sent to
// it, and its CLI answers; the agent starts and has the tools it shells out to. Sizes stay within a
// budget (measured + 10 %). The chart is installed from oci:// on the real control plane and its
// workloads name the pushed images by digest.
import { createSocket } from 'node:dgram';
import { execFile, execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { AppsV1Api } from '@kubernetes/client-node';
import { VERSION } from '@lastgasp/proto/version';
import { formatExtended } from '@lastgasp/collector';
import { ensureBinaries, useCluster } from '@lastgasp/testbed/cluster';
import { ensureBaseImage, inspectImage, manifestDigest, podman, pushImage, RUNTIME_FLAGS, startRegistry, type ImageInfo, type Registry } from '@lastgasp/testbed/images';
import { freePort, waitFor } from '@lastgasp/testbed/testing';
import { expect } from 'chai';
import { createHelm } from './helm.js';
import type { ReleaseRecord } from './release/release.js';

const MiB = 1024 * 1024;
/**
 * Measured + 10 % (bytes as podman counts them). Collector 396.3 MB (377.9 MiB): the base 370.6 MB
 * (Node.js binary 122, its headers 67, npm 19, Debian minbase the rest), node_modules 17.7 MB (the
 * collector's own production closure, without @kubernetes/client-node, which its build bundles), the
 * app 6.7 MB (5.0 MB of it the client-node bundle). Agent 394.5 MB (376.2 MiB): the base, iproute2 and
 * kmod with their libraries ~10 MB, node_modules 13.2 MB, the app 0.6 MB. Before the closure both
 * carried every workspace's production packages (collector 462.5 MB, agent 465.3 MB).
 */
const BUDGET = { collector: 436 * 1000 * 1000, agent: 434 * 1000 * 1000 };
const REVISION = (() => {
  try {
    return execFileSync('git', ['rev-parse', 'HEAD'], { encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
})();

function panicDatagrams(): Buffer[] {
  const lines = ['sysrq: Trigger a crash', 'Kernel panic - not syncing: sysrq triggered crash', '---[ end Kernel panic - not syncing: sysrq triggered crash ]---'];
  return lines.flatMap((text, i) => formatExtended({ seq: 40 + i, timestampUs: 7_000_000 + i, text, level: i === 1 ? 0 : 6 }));
}

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const run = promisify(execFile);
const log = (line: string) => process.stderr.write(`      ${line}\n`);

/** `npm run release`'s script with the flags this machine's buildah needs; its progress lines logged. */
function runRelease(args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(join(ROOT, 'node_modules/.bin/tsx'), ['deploy/src/release/main.ts', ...args], {
      cwd: ROOT,
      env: { ...process.env, BUILDAH_ISOLATION: 'chroot' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const tail: string[] = [];
    createInterface({ input: child.stderr }).on('line', (line) => {
      tail.push(line);
      if (tail.length > 40) tail.shift();
      if (line.startsWith('[release]')) log(line);
    });
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`release exited ${code ?? 'by a signal'}:\n${tail.join('\n')}`))));
  });
}

describe('the images, built by the release from the Dockerfiles, pushed and run', function () {
  this.timeout(1_800_000);
  const images: Record<'collector' | 'agent', ImageInfo | null> = { collector: null, agent: null };
  const refs = { collector: '', agent: '' };
  const containers: string[] = [];
  let registry: Registry | undefined;
  let record: ReleaseRecord | undefined;
  let baseDigest = '';
  let work = '';
  let collectorGrpc = '';

  before(async function () {
    this.timeout(1_800_000);
    const base = await ensureBaseImage(log);
    registry = await startRegistry({ log });
    work = await mkdtemp(join(tmpdir(), 'lastgasp-release-test-'));
    // The base as a user's release finds it: in a registry, by tag; the release pins it by digest.
    const baseInRegistry = `${registry.address}/library/node:${base.split(':').at(-1) ?? ''}`;
    baseDigest = await pushImage(base, baseInRegistry);
    const { helm } = await ensureBinaries(log);
    const started = Date.now();
    const buildFlags = ['--network=host', '--layers=false', ...RUNTIME_FLAGS.map((f, i, all) => (f.startsWith('--') ? `${f}=${all[i + 1] ?? ''}` : '')).filter((f) => f !== '')];
    await runRelease([
      '--registry', `${registry.address}/lastgasp`, '--plain-http', '--builder', 'buildah', ...buildFlags.map((f) => `--build-flag=${f}`),
      '--base', baseInRegistry, '--helm', helm, '--output', join(work, 'release.json'),
    ]);
    log(`images: release built and pushed both images and the chart in ${((Date.now() - started) / 1000).toFixed(0)} s`);
    record = JSON.parse(await readFile(join(work, 'release.json'), 'utf8')) as ReleaseRecord;
    for (const name of ['collector', 'agent'] as const) {
      refs[name] = `${record.images[name].repository}:${record.images[name].tag}`;
      images[name] = await inspectImage(refs[name]);
      if (images[name] !== null) log(`images: lastgasp-${name} ${(images[name].Size / MiB).toFixed(1)} MiB`);
    }
  });
  after(async () => {
    for (const c of containers) await podman(['rm', '-f', c]).catch(() => undefined);
    for (const ref of Object.values(refs)) if (ref !== '') await podman(['rmi', '-f', ref]).catch(() => undefined);
    await registry?.stop();
    if (work !== '') await rm(work, { recursive: true, force: true });
  });

  const published = (): ReleaseRecord => {
    if (record === undefined) throw new Error('no release record');
    return record;
  };

  it('the release record: version and revision, the base pinned to the digest the registry serves, images and chart as the registry serves them', async () => {
    const r = published();
    const reg = registry as Registry;
    expect(r.version).to.equal(VERSION);
    expect(r.revision.replace(/-dirty$/, '')).to.equal(REVISION);
    expect(r.base.digest).to.equal(baseDigest);
    expect(r.base.ref).to.equal(`${reg.address}/library/node@${baseDigest}`);
    for (const name of ['collector', 'agent'] as const) {
      const img = r.images[name];
      expect(img.repository).to.equal(`${reg.address}/lastgasp/lastgasp-${name}`);
      expect(img.tag).to.equal(VERSION);
      expect(await manifestDigest(reg, `lastgasp/lastgasp-${name}`, VERSION), name).to.equal(img.digest);
      expect(img.ref).to.equal(`${img.repository}@${img.digest}`);
    }
    expect(r.chart).to.include({ name: 'lastgasp', version: VERSION, ref: `oci://${reg.address}/lastgasp/lastgasp` });
    expect(await manifestDigest(reg, 'lastgasp/lastgasp', VERSION)).to.equal(r.chart.digest);
  });

  const image = (name: 'collector' | 'agent'): ImageInfo => {
    const i = images[name];
    if (i === null) throw new Error(`${name} image not built`);
    return i;
  };
  const runOnce = (ref: string, args: string[]) => podman(['run', '--rm', ...RUNTIME_FLAGS, '--network', 'host', ref, ...args]);

  for (const name of ['collector', 'agent'] as const) {
    it(`lastgasp-${name}: the OCI labels name it, its version and revision; within its size budget`, () => {
      const labels = image(name).Labels ?? {};
      expect(labels).to.include({
        'org.opencontainers.image.title': `lastgasp-${name}`,
        'org.opencontainers.image.version': VERSION,
        'org.opencontainers.image.revision': published().revision,
        'org.opencontainers.image.licenses': 'Apache-2.0',
      });
      expect(image(name).Size, `${(image(name).Size / MiB).toFixed(1)} MiB`).to.be.at.most(BUDGET[name]);
    });

    it(`lastgasp-${name}: only its own production dependencies (no client-node, no build or test tools)`, async () => {
      const out = await podman(['run', '--rm', ...RUNTIME_FLAGS, '--network', 'none', '--entrypoint', 'sh', refs[name], '-c', 'ls /app/node_modules /app/node_modules/@*; du -sk --apparent-size /app/node_modules /app']);
      const listed = out.split('\n');
      for (const absent of ['@kubernetes', 'client-node', 'typescript', 'esbuild', 'mocha', 'tsx', '@types']) expect(listed, absent).to.not.include(absent);
      for (const present of name === 'collector' ? ['@grpc', 'pino', 'commander'] : ['pino', 'yaml', 'prom-client']) expect(listed, present).to.include(present);
      const [modules, app] = [...out.matchAll(/^(\d+)\s+(\S+)$/gm)].map((m) => Number(m[1]) * 1024);
      // du counts what the first path holds once: the second figure is /app without node_modules.
      log(`images: lastgasp-${name} node_modules ${((modules ?? 0) / MiB).toFixed(1)} MiB, the rest of /app ${((app ?? 0) / MiB).toFixed(1)} MiB`);
    });
  }

  it('lastgasp-collector: non-root; --version says the project version', async () => {
    expect(image('collector').Config?.User).to.equal('65532:65532');
    expect(await runOnce(refs.collector, ['--version'])).to.equal(`lastgasp-collector ${VERSION}\n`);
  });

  it('lastgasp-agent: --version; carries ip and modprobe, which it shells out to', async () => {
    expect(await runOnce(refs.agent, ['--version'])).to.equal(`lastgasp-agent ${VERSION}\n`);
    const tools = await podman(['run', '--rm', ...RUNTIME_FLAGS, '--network', 'none', '--entrypoint', 'sh', refs.agent, '-c', 'command -v ip && command -v modprobe']);
    expect(tools.trim().split('\n')).to.have.length(2);
  });

  it('lastgasp-collector serves on the host network: /readyz, a panic classified, the CLI in the image answers', async () => {
    const [udp, grpc, http] = [await freePort({ host: '127.0.0.1', protocol: 'udp' }), await freePort({ host: '127.0.0.1' }), await freePort({ host: '127.0.0.1' })];
    const name = `lastgasp-collector-test-${process.pid}`;
    containers.push(name);
    await podman(['run', '-d', '--name', name, ...RUNTIME_FLAGS, '--network', 'host', refs.collector, 'serve', '--standalone', '--udp-listen', `127.0.0.1:${udp}`, '--grpc-listen', `127.0.0.1:${grpc}`, '--http-listen', `127.0.0.1:${http}`]);
    await waitFor('the collector container ready', async () => (await fetch(`http://127.0.0.1:${http}/readyz`).catch(() => null))?.ok === true, { timeoutMs: 60_000, intervalMs: 250 });
    const socket = createSocket('udp4');
    for (const d of panicDatagrams()) await new Promise<void>((resolve, reject) => socket.send(d, udp, '127.0.0.1', (err) => (err ? reject(err) : resolve())));
    socket.close();
    const cli = (args: string[]) => podman(['exec', name, 'lastgasp', '--server', `127.0.0.1:${grpc}`, ...args]);
    const incidents = await waitFor('the panic in the collector\'s incidents', async () => {
      const list = JSON.parse(await cli(['incidents', '-o', 'json'])) as { kind?: string; fatal?: boolean }[] | { incidents?: { kind?: string }[] };
      const items = Array.isArray(list) ? list : (list.incidents ?? []);
      return items.some((i) => i.kind === 'KernelPanic') ? items : false;
    }, { timeoutMs: 30_000, intervalMs: 500 });
    expect(incidents).to.have.length(1);
    const status = JSON.parse(await cli(['status', '-o', 'json'])) as { version?: string };
    expect(status.version).to.equal(VERSION);
    const metrics = await (await fetch(`http://127.0.0.1:${http}/metrics`)).text();
    expect(metrics).to.match(/^lastgasp_udp_receiver_info\{receiver="native"\} 1$/m);
    collectorGrpc = `127.0.0.1:${grpc}`;
  });

  it("the release's one-file CLI runs outside the checkout (no node_modules): --version, and status against the collector image", async () => {
    const r = published();
    expect(collectorGrpc, 'the collector container serves (previous test)').to.not.equal('');
    const elsewhere = await mkdtemp(join(tmpdir(), 'lastgasp-cli-'));
    try {
      const file = join(elsewhere, r.cli.file);
      await copyFile(join(work, r.cli.file), file);
      expect(createHash('sha256').update(await readFile(file)).digest('hex')).to.equal(r.cli.sha256);
      const env = { PATH: process.env['PATH'] ?? '', HOME: elsewhere };
      const cli = (args: string[]) => run(file, args, { cwd: elsewhere, env, timeout: 60_000 });
      expect((await cli(['--version'])).stdout).to.equal(`lastgasp ${VERSION}\n`);
      const status = JSON.parse((await cli(['--server', collectorGrpc, 'status', '-o', 'json'])).stdout) as { version?: string; serving?: boolean };
      expect(status.version).to.equal(VERSION);
      const incidents = JSON.parse((await cli(['--server', collectorGrpc, 'incidents', '-o', 'json'])).stdout) as { kind?: string }[] | { incidents?: { kind?: string }[] };
      const items = Array.isArray(incidents) ? incidents : (incidents.incidents ?? []);
      expect(items.map((i) => i.kind)).to.deep.equal(['KernelPanic']);
    } finally {
      await rm(elsewhere, { recursive: true, force: true });
    }
  });

  describe('the chart, installed from the registry (oci://) on the real control plane', () => {
    const cluster = useCluster();
    let home = '';
    after(async () => {
      if (home !== '') await rm(home, { recursive: true, force: true });
    });

    it('helm install oci://…/lastgasp: the DaemonSet and the Deployment run the pushed images by digest', async () => {
      const c = cluster();
      const r = published();
      home = await mkdtemp(join(tmpdir(), 'lastgasp-helm-'));
      const helm = createHelm({ binary: c.binaries.helm, home, kubeconfig: c.kubeconfigPath });
      const ns = 'lastgasp-oci';
      await helm.ok(['install', 'lastgasp', r.chart.ref, '--version', r.chart.version, '--plain-http', '--namespace', 'default', '--set', 'namespace.create=true', '--set', `namespace.name=${ns}`]);
      const apps = c.kubeConfig.makeApiClient(AppsV1Api);
      const ds = await apps.readNamespacedDaemonSet({ name: 'lastgasp-agent', namespace: ns });
      const deploy = await apps.readNamespacedDeployment({ name: 'lastgasp-collector', namespace: ns });
      const [agentImage] = (ds.spec?.template.spec?.containers ?? []).map((x) => x.image);
      const [collectorImage] = (deploy.spec?.template.spec?.containers ?? []).map((x) => x.image);
      expect(agentImage).to.equal(r.images.agent.ref);
      expect(collectorImage).to.equal(r.images.collector.ref);
      // What helm pulled is the chart the registry serves under that digest.
      const shown = await helm.ok(['show', 'chart', `${r.chart.ref}@${r.chart.digest}`, '--plain-http']);
      expect(shown).to.match(new RegExp(`^version: ${VERSION.replace(/\./g, '\\.')}$`, 'm'));
      await helm.ok(['uninstall', 'lastgasp', '--namespace', 'default']);
    });
  });
});
