// The local OCI registry of the test bed: the distribution registry built from Go modules, on an address
// the caller chooses; an image pushed with podman comes back by digest, and stop() leaves nothing.
import { expect } from 'chai';
import { access, writeFile } from 'node:fs/promises';
import { buildah, podman } from './containers.js';
import { manifestDigest, pushImage, startRegistry, type Registry } from './registry.js';

describe('the local OCI registry (test/src/images/registry.ts)', function () {
  this.timeout(600_000);
  const local = `localhost/lastgasp-registry-probe:${process.pid}`;
  let registry: Registry | undefined;

  before(async () => {
    // A one-file image made here, so this test needs no base image.
    const ctr = (await buildah(['from', 'scratch'])).trim();
    try {
      const mnt = (await buildah(['mount', ctr])).trim();
      await writeFile(`${mnt}/probe.txt`, `registry probe ${process.pid}\n`);
      await buildah(['umount', ctr]);
      await buildah(['config', '--label', 'dev.lastgasp.probe=1', ctr]);
      await buildah(['commit', '--quiet', ctr, local]);
    } finally {
      await buildah(['rm', ctr]).catch(() => undefined);
    }
  });
  after(async () => {
    await registry?.stop();
    await podman(['rmi', '-f', local]).catch(() => undefined);
  });

  it('listens on the address it is given, serves a pushed image by digest, and is gone after stop()', async () => {
    // 127.0.0.2 (not the default) stands for a caller's own address, e.g. a guest's tap on the host.
    registry = await startRegistry({ host: '127.0.0.2' });
    expect(registry.address).to.equal(`127.0.0.2:${registry.port}`);
    const digest = await pushImage(local, `${registry.address}/lastgasp/probe:v1`);
    expect(digest).to.match(/^sha256:[a-f0-9]{64}$/);
    expect(await manifestDigest(registry, 'lastgasp/probe', 'v1')).to.equal(digest);
    expect(await manifestDigest(registry, 'lastgasp/probe', digest)).to.equal(digest);
    expect(await manifestDigest(registry, 'lastgasp/probe', 'v2')).to.equal(null);

    // Pulled back by digest, the image is the one pushed.
    const byDigest = `${registry.address}/lastgasp/probe@${digest}`;
    await podman(['pull', '--quiet', '--tls-verify=false', byDigest]);
    try {
      const [info] = JSON.parse(await podman(['image', 'inspect', byDigest])) as { Labels?: Record<string, string> }[];
      expect(info?.Labels?.['dev.lastgasp.probe']).to.equal('1');
    } finally {
      await podman(['rmi', '-f', byDigest]).catch(() => undefined);
    }

    const { storage, address } = registry;
    await registry.stop();
    registry = undefined;
    const answer = await fetch(`http://${address}/v2/`).then((r) => r.status).catch(() => 'refused');
    expect(answer).to.equal('refused');
    const left = await access(storage).then(() => true).catch(() => false);
    expect(left, `${storage} left behind`).to.equal(false);
  });
});
