// The images as users get them: both Dockerfiles built unchanged (only build arguments differ) with
// buildah against a locally made base image of the pinned Node.js, then run with podman. The collector
// image serves on the host network, classifies a panic sent to it, and its CLI answers; the agent image
// starts and has the tools it shells out to. Sizes stay within a budget (measured + 10 %).
import { createSocket } from 'node:dgram';
import { execFileSync } from 'node:child_process';
import { VERSION } from '@lastgasp/proto/version';
import { formatExtended } from '@lastgasp/collector';
import { buildImage, ensureBaseImage, podman, RUNTIME_FLAGS, type ImageInfo } from '@lastgasp/testbed/images';
import { freePort, waitFor } from '@lastgasp/testbed/testing';
import { expect } from 'chai';

const MiB = 1024 * 1024;
/**
 * Measured + 10 % (bytes as podman counts them). Collector 462.5 MB: the base 370.6 MB (Node.js binary
 * 122, its headers 67, npm 19, Debian minbase the rest), node_modules 96 MB, the app 9 MB. Agent
 * 460.7 MB: the base, iproute2 and kmod, node_modules 91 MB (every workspace's production packages: npm
 * ci cannot install one workspace's alone; the agent loads ~9 MB of them).
 */
const BUDGET = { collector: 509 * 1000 * 1000, agent: 507 * 1000 * 1000 };
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

describe('the images, built from the Dockerfiles and run', function () {
  this.timeout(1_800_000);
  const images: Record<'collector' | 'agent', ImageInfo | null> = { collector: null, agent: null };
  const containers: string[] = [];

  before(async function () {
    this.timeout(1_800_000);
    const log = (line: string) => process.stderr.write(`      ${line}\n`);
    await ensureBaseImage(log);
    for (const name of ['collector', 'agent'] as const) {
      const started = Date.now();
      images[name] = await buildImage({ dockerfile: `deploy/images/${name}.Dockerfile`, tag: `localhost/lastgasp-${name}:test`, buildArgs: { VERSION, REVISION } });
      log(`images: lastgasp-${name} built in ${((Date.now() - started) / 1000).toFixed(0)} s, ${(images[name].Size / MiB).toFixed(1)} MiB`);
    }
  });
  after(async () => {
    for (const c of containers) await podman(['rm', '-f', c]).catch(() => undefined);
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
        'org.opencontainers.image.revision': REVISION,
        'org.opencontainers.image.licenses': 'Apache-2.0',
      });
      expect(image(name).Size, `${(image(name).Size / MiB).toFixed(1)} MiB`).to.be.at.most(BUDGET[name]);
    });
  }

  it('lastgasp-collector: non-root; --version says the project version', async () => {
    expect(image('collector').Config?.User).to.equal('65532:65532');
    expect(await runOnce('localhost/lastgasp-collector:test', ['--version'])).to.equal(`lastgasp-collector ${VERSION}\n`);
  });

  it('lastgasp-agent: --version; carries ip and modprobe, which it shells out to', async () => {
    expect(await runOnce('localhost/lastgasp-agent:test', ['--version'])).to.equal(`lastgasp-agent ${VERSION}\n`);
    const tools = await podman(['run', '--rm', ...RUNTIME_FLAGS, '--network', 'none', '--entrypoint', 'sh', 'localhost/lastgasp-agent:test', '-c', 'command -v ip && command -v modprobe']);
    expect(tools.trim().split('\n')).to.have.length(2);
  });

  it('lastgasp-collector serves on the host network: /readyz, a panic classified, the CLI in the image answers', async () => {
    const [udp, grpc, http] = [await freePort({ host: '127.0.0.1', protocol: 'udp' }), await freePort({ host: '127.0.0.1' }), await freePort({ host: '127.0.0.1' })];
    const name = `lastgasp-collector-test-${process.pid}`;
    containers.push(name);
    await podman(['run', '-d', '--name', name, ...RUNTIME_FLAGS, '--network', 'host', 'localhost/lastgasp-collector:test', 'serve', '--standalone', '--udp-listen', `127.0.0.1:${udp}`, '--grpc-listen', `127.0.0.1:${grpc}`, '--http-listen', `127.0.0.1:${http}`]);
    await waitFor('the collector container ready', async () => (await fetch(`http://127.0.0.1:${http}/readyz`).catch(() => null))?.ok === true, { timeoutMs: 60_000, intervalMs: 250 });
    const socket = createSocket('udp4');
    for (const d of panicDatagrams()) await new Promise<void>((resolve, reject) => socket.send(d, udp, '127.0.0.1', (err) => (err ? reject(err) : resolve())));
    socket.close();
    const cli = (args: string[]) => podman(['exec', name, 'node', '/app/collector/bin/lastgasp.js', '--server', `127.0.0.1:${grpc}`, ...args]);
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
  });
});
