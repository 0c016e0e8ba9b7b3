// The small images the real node needs, made here (no registry to pull from): the pod sandbox ("pause",
// compiled from the pause.c that ships in the pinned k8s.io/kubernetes module) and a busybox image for
// the scenario's own pods. Built with buildah from scratch, saved as docker archives the guest's
// containerd imports (`ctr images import`), cached per machine by content.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { chmod, copyFile, mkdir, mkdtemp, rename, rm, symlink } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { readVersions } from '@lastgasp/testbed/cluster';
import { buildah } from '@lastgasp/testbed/images';

const run = promisify(execFile);

export const PAUSE_IMAGE = 'localhost/lastgasp-test/pause:1';
export const BUSYBOX_IMAGE = 'localhost/lastgasp-test/busybox:1';

export interface NodeImage {
  ref: string;
  /** docker-archive for `ctr images import`. */
  archive: string;
}

const cacheRoot = (): string => process.env['LASTGASP_CACHE'] ?? join(homedir(), '.cache', 'lastgasp');

async function pauseSource(): Promise<string> {
  const { stdout } = await run('go', ['mod', 'download', '-json', `k8s.io/kubernetes@${readVersions().kubernetes}`], { maxBuffer: 16 << 20 });
  const dir = (JSON.parse(stdout) as { Dir?: string }).Dir;
  if (dir === undefined) throw new Error('go mod download gave no directory for k8s.io/kubernetes');
  return join(dir, 'build', 'pause', 'linux', 'pause.c');
}

/** Builds an image from `tree` (a root filesystem) with `entrypoint`, saved as a docker archive. */
async function imageFromTree(tree: string, ref: string, entrypoint: string[], archive: string): Promise<void> {
  const container = (await buildah(['from', 'scratch'])).trim();
  try {
    await buildah(['copy', container, tree, '/']);
    await buildah(['config', '--entrypoint', JSON.stringify(entrypoint), '--cmd', '', container]);
    await buildah(['commit', '--rm', container, ref]);
  } catch (err) {
    await buildah(['rm', container]).catch(() => undefined);
    throw err;
  }
  await rm(archive, { force: true });
  await buildah(['push', ref, `docker-archive:${archive}:${ref}`]);
}

/** The pause and busybox images, built on first use. */
export async function ensureNodeImages(log: (line: string) => void = () => undefined): Promise<{ pause: NodeImage; busybox: NodeImage }> {
  const source = await pauseSource();
  const busybox = '/bin/busybox';
  const hash = createHash('sha256').update(readFileSync(source)).update(readFileSync(busybox)).update('v1').digest('hex').slice(0, 12);
  const dir = join(cacheRoot(), `node-images-${hash}`);
  const pause: NodeImage = { ref: PAUSE_IMAGE, archive: join(dir, 'pause.tar') };
  const box: NodeImage = { ref: BUSYBOX_IMAGE, archive: join(dir, 'busybox.tar') };
  if (existsSync(pause.archive) && existsSync(box.archive)) return { pause, busybox: box };
  log(`building the node's pause and busybox images into ${dir}`);
  await mkdir(dir, { recursive: true });
  const work = await mkdtemp(join(dir, 'tmp-'));
  try {
    const pauseTree = join(work, 'pause');
    await mkdir(pauseTree);
    await run('gcc', ['-Os', '-static', '-DVERSION=lastgasp-test', '-o', join(pauseTree, 'pause'), source]);
    await imageFromTree(pauseTree, PAUSE_IMAGE, ['/pause'], join(work, 'pause.tar'));
    const boxTree = join(work, 'busybox');
    await mkdir(join(boxTree, 'bin'), { recursive: true });
    await copyFile(busybox, join(boxTree, 'bin', 'busybox'));
    await chmod(join(boxTree, 'bin', 'busybox'), 0o755);
    for (const applet of ['sh', 'sleep', 'echo', 'cat', 'ls', 'true', 'false', 'hostname', 'ip']) await symlink('busybox', join(boxTree, 'bin', applet));
    await imageFromTree(boxTree, BUSYBOX_IMAGE, ['/bin/sh', '-c'], join(work, 'busybox.tar'));
    await rename(join(work, 'pause.tar'), pause.archive);
    await rename(join(work, 'busybox.tar'), box.archive);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  return { pause, busybox: box };
}
