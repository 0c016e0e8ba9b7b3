// The base image the Dockerfiles' FROM names by default (NODE_IMAGE, node:<major>-bookworm-slim), made here because no registry of base
// images is reachable: a minimal Debian bookworm root file system (mmdebstrap from Debian's packages),
// the pinned Node.js (.node-version: binary and headers, from the npm registry package of the official
// build) and npm, laid out as the official image lays them out (/usr/local/bin, /usr/local/include/node,
// /usr/local/lib/node_modules/npm). It also carries this machine's CA bundle (NODE_EXTRA_CA_CERTS), so
// `npm ci` in a build reaches the registry the way the machine does. Built once per machine and
// Node.js version.
import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { buildah, inspectImage } from './containers.js';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
/** Names the Node.js version and the recipe: a changed recipe makes the base again. */
const LABEL = 'dev.lastgasp.testbed.node';
const RECIPE = 2;

export async function pinnedNodeVersion(): Promise<string> {
  return (await readFile(join(ROOT, '.node-version'), 'utf8')).trim();
}

/** `docker.io/library/node:<major>-bookworm-slim` for the pinned Node.js, built unless it is there already. */
export async function ensureBaseImage(log: (line: string) => void = () => undefined): Promise<string> {
  const version = await pinnedNodeVersion();
  const ref = `docker.io/library/node:${version.split('.')[0]}-bookworm-slim`;
  const found = await inspectImage(ref);
  if (found?.Labels?.[LABEL] === `${version}/${RECIPE}`) return ref;
  log(`images: making the base image ${ref} (Debian bookworm minbase, Node.js ${version})`);
  const { stdout: nodeBin } = await run('bash', [join(ROOT, 'scripts/pinned-node.sh')], { cwd: ROOT });
  const nodeDir = join(nodeBin.trim(), '..');
  const { stdout: npmVersion } = await run('npm', ['--version']);
  const tmp = await mkdtemp(join(tmpdir(), 'lastgasp-base-'));
  let ctr = '';
  try {
    const rootfs = join(tmp, 'rootfs.tar');
    await run('mmdebstrap', ['--variant=minbase', '--include=ca-certificates', '--dpkgopt=path-exclude=/usr/share/doc/*', '--dpkgopt=path-exclude=/usr/share/man/*', 'bookworm', rootfs], { timeout: 900_000, maxBuffer: 64 << 20 });
    await run('npm', ['pack', '--silent', `npm@${npmVersion.trim()}`], { cwd: tmp });
    await run('bash', ['-c', 'tar -xzf npm-*.tgz'], { cwd: tmp });
    ctr = (await buildah(['from', 'scratch'])).trim();
    await buildah(['add', ctr, rootfs, '/']);
    const mnt = (await buildah(['mount', ctr])).trim();
    await mkdir(join(mnt, 'usr/local/bin'), { recursive: true });
    await mkdir(join(mnt, 'usr/local/include'), { recursive: true });
    await mkdir(join(mnt, 'usr/local/lib/node_modules'), { recursive: true });
    await cp(join(nodeDir, 'bin/node'), join(mnt, 'usr/local/bin/node'));
    await cp(join(nodeDir, 'include/node'), join(mnt, 'usr/local/include/node'), { recursive: true });
    await cp(join(tmp, 'package'), join(mnt, 'usr/local/lib/node_modules/npm'), { recursive: true });
    await symlink('../lib/node_modules/npm/bin/npm-cli.js', join(mnt, 'usr/local/bin/npm'));
    await symlink('../lib/node_modules/npm/bin/npx-cli.js', join(mnt, 'usr/local/bin/npx'));
    await cp('/etc/ssl/certs/ca-certificates.crt', join(mnt, 'etc/ssl/certs/ca-certificates.crt'));
    await rm(join(mnt, 'var/lib/apt/lists'), { recursive: true, force: true });
    await mkdir(join(mnt, 'var/lib/apt/lists/partial'), { recursive: true });
    await rm(join(mnt, 'var/cache/apt'), { recursive: true, force: true });
    await mkdir(join(mnt, 'var/cache/apt/archives/partial'), { recursive: true });
    // As Debian's official images: apt keeps no downloaded packages in a layer.
    await writeFile(
      join(mnt, 'etc/apt/apt.conf.d/docker-clean'),
      'DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };\n' +
        'APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };\n' +
        'Dir::Cache::pkgcache ""; Dir::Cache::srcpkgcache "";\n',
    );
    await buildah(['umount', ctr]);
    await buildah(['config', '--env', 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', '--env', 'NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt', '--label', `${LABEL}=${version}/${RECIPE}`, '--cmd', 'node', ctr]);
    await buildah(['commit', '--quiet', ctr, ref]);
    return ref;
  } finally {
    if (ctr !== '') await buildah(['rm', ctr]).catch(() => undefined);
    await rm(tmp, { recursive: true, force: true });
  }
}
