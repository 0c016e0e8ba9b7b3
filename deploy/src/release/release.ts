// The release, step by step: pin the base image by digest, build both images from the committed
// Dockerfiles with the project's version, push them, package the chart pointing at the pushed images
// by digest, push it, and write what was published. Each step prints a progress line.
import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { parseDocument } from 'yaml';
import { DIGEST, digestOf, helmPushDigest, IMAGE_NAMES, imageRepository, normalizeRepository, repositoryOf, tagOf, type ImageName, type ReleaseOptions } from './options.js';

const run = promisify(execFile);

export interface PublishedImage {
  repository: string;
  tag: string;
  digest: string;
  /** repository@digest: what the chart installs. */
  ref: string;
}

export interface ReleaseRecord {
  version: string;
  revision: string;
  registry: string;
  base: { image: string; ref: string; digest: string };
  platforms: string[];
  images: Record<ImageName, PublishedImage>;
  chart: { name: string; version: string; ref: string; digest: string };
  /** The one-file CLI (Node.js >= 24, no node_modules), written beside the record. */
  cli: { file: string; sha256: string; bytes: number };
  publishedAt: string;
}

export interface ReleaseContext {
  root: string;
  log: (line: string) => void;
  now: () => Date;
}

async function capture(cmd: string, args: string[], cwd?: string): Promise<string> {
  try {
    const { stdout, stderr } = await run(cmd, args, { cwd, maxBuffer: 64 << 20, timeout: 3_600_000 });
    return `${stdout}${stderr}`;
  } catch (err) {
    const e = err as Error & { stderr?: string };
    throw new Error(`${cmd} ${args.join(' ')} failed: ${e.stderr?.trim() || e.message}`);
  }
}

/** Runs a long step with its output passed through to stderr, so a build is visibly alive. */
function stream(cmd: string, args: string[], cwd: string): Promise<void> {
  return new Promise((done, fail) => {
    const child = spawn(cmd, args, { cwd, stdio: ['ignore', 'inherit', 'inherit'] });
    child.once('error', fail);
    child.once('exit', (code) => (code === 0 ? done() : fail(new Error(`${cmd} ${args.slice(0, 2).join(' ')} … exited with ${code ?? 'a signal'}`))));
  });
}

function tlsFlags(opts: ReleaseOptions): string[] {
  return opts.plainHttp && opts.builder !== 'docker' ? ['--tls-verify=false'] : [];
}

/**
 * The base image as repository@digest: as given when it has a digest, else the digest its registry
 * serves for the tag (a multi-arch index stays an index, so each platform builds on its own image).
 * Asked of the registry, not of local storage: a local image can carry digests of other pushes.
 */
async function pinBase(opts: ReleaseOptions): Promise<{ ref: string; digest: string }> {
  const given = digestOf(opts.base);
  if (given !== null) return { ref: opts.base, digest: given };
  const repo = repositoryOf(opts.base);
  let digest: string;
  if (opts.builder === 'docker') {
    const out = await capture('docker', ['buildx', 'imagetools', 'inspect', opts.base, '--format', '{{json .Manifest}}']);
    digest = (JSON.parse(out) as { digest?: string }).digest ?? '';
  } else {
    // skopeo prints the manifest as the registry stored it: its sha256 is the digest.
    const raw = await captureBytes('skopeo', ['inspect', '--raw', ...tlsFlags(opts), `docker://${normalizeRepository(repo)}:${tagOf(opts.base)}`]);
    digest = `sha256:${createHash('sha256').update(raw).digest('hex')}`;
  }
  if (!DIGEST.test(digest)) throw new Error(`cannot resolve the digest of ${opts.base}`);
  return { ref: `${repo}@${digest}`, digest };
}

async function captureBytes(cmd: string, args: string[]): Promise<Buffer> {
  try {
    const { stdout } = await run(cmd, args, { encoding: 'buffer', maxBuffer: 64 << 20, timeout: 300_000 });
    return stdout;
  } catch (err) {
    const e = err as Error & { stderr?: Buffer };
    throw new Error(`${cmd} ${args.join(' ')} failed: ${e.stderr?.toString().trim() || e.message}`);
  }
}

async function readVersion(root: string): Promise<string> {
  return (JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as { version: string }).version;
}

async function readRevision(root: string): Promise<string> {
  const head = (await capture('git', ['rev-parse', 'HEAD'], root)).trim();
  const dirty = (await capture('git', ['status', '--porcelain', '--untracked-files=no'], root)).trim() !== '';
  return dirty ? `${head}-dirty` : head;
}

async function buildAndPush(opts: ReleaseOptions, ctx: ReleaseContext, name: ImageName, args: Record<string, string>, tmp: string): Promise<PublishedImage> {
  const repository = imageRepository(opts.registry, name);
  const tag = args['VERSION'] ?? 'dev';
  const ref = `${repository}:${tag}`;
  const buildArgs = Object.entries(args).flatMap(([k, v]) => ['--build-arg', `${k}=${v}`]);
  const dockerfile = `deploy/images/${name}.Dockerfile`;
  const started = Date.now();
  if (opts.platforms.length > 0) {
    ctx.log(`building and pushing ${ref} for ${opts.platforms.join(', ')} (docker buildx)`);
    const meta = join(tmp, `${name}.metadata.json`);
    await stream('docker', ['buildx', 'build', '--platform', opts.platforms.join(','), '--push', '--metadata-file', meta, ...opts.buildFlags, ...buildArgs, '-f', dockerfile, '-t', ref, '.'], ctx.root);
    const digest = (JSON.parse(await readFile(meta, 'utf8')) as Record<string, string>)['containerimage.digest'] ?? '';
    if (!DIGEST.test(digest)) throw new Error(`docker buildx pushed ${ref} but reported no digest`);
    return { repository, tag, digest, ref: `${repository}@${digest}` };
  }
  ctx.log(`building ${ref} from ${dockerfile} (${opts.builder})`);
  const build = opts.builder === 'buildah' ? ['bud', ...tlsFlags(opts)] : ['build'];
  await stream(opts.builder, [...build, ...opts.buildFlags, ...buildArgs, '-f', dockerfile, '-t', ref, '.'], ctx.root);
  ctx.log(`built ${ref} in ${((Date.now() - started) / 1000).toFixed(0)} s; pushing`);
  let digest: string;
  if (opts.builder === 'docker') {
    await capture('docker', ['push', ref]);
    const [info] = JSON.parse(await capture('docker', ['image', 'inspect', ref])) as { RepoDigests?: string[] }[];
    digest = digestOf((info?.RepoDigests ?? []).find((d) => repositoryOf(d) === repository) ?? '') ?? '';
  } else {
    const file = join(tmp, `${name}.digest`);
    await capture(opts.builder, ['push', ...tlsFlags(opts), '--digestfile', file, ref, `docker://${ref}`]);
    digest = (await readFile(file, 'utf8')).trim();
  }
  if (!DIGEST.test(digest)) throw new Error(`pushed ${ref} but found no digest`);
  ctx.log(`pushed ${repository}@${digest}`);
  return { repository, tag, digest, ref: `${repository}@${digest}` };
}

/** A copy of the chart whose default images are the pushed ones, by digest. */
async function chartPointingAt(root: string, images: Record<ImageName, PublishedImage>, tmp: string): Promise<string> {
  const dir = join(tmp, 'chart', 'lastgasp');
  await cp(join(root, 'deploy/helm/lastgasp'), dir, { recursive: true });
  const valuesPath = join(dir, 'values.yaml');
  const doc = parseDocument(await readFile(valuesPath, 'utf8'));
  for (const name of IMAGE_NAMES) {
    doc.setIn([name, 'image', 'repository'], images[name].repository);
    doc.setIn([name, 'image', 'digest'], images[name].digest);
  }
  await writeFile(valuesPath, doc.toString());
  return dir;
}

export async function release(opts: ReleaseOptions, ctx: ReleaseContext): Promise<ReleaseRecord> {
  const version = await readVersion(ctx.root);
  const revision = await readRevision(ctx.root);
  ctx.log(`lastgasp ${version} (revision ${revision}) to ${opts.registry}${opts.plainHttp ? ' over plain HTTP' : ''}`);
  const base = await pinBase(opts);
  ctx.log(`base image ${opts.base} pinned to ${base.ref}`);
  const tmp = await mkdtemp(join(tmpdir(), 'lastgasp-release-'));
  try {
    const args = { VERSION: version, REVISION: revision, NODE_IMAGE: base.ref };
    const images = {} as Record<ImageName, PublishedImage>;
    for (const name of IMAGE_NAMES) images[name] = await buildAndPush(opts, ctx, name, args, tmp);
    ctx.log('packaging the chart with the pushed images by digest');
    const chartDir = await chartPointingAt(ctx.root, images, tmp);
    await capture(opts.helm, ['lint', chartDir]);
    await capture(opts.helm, ['package', chartDir, '--version', version, '--app-version', version, '--destination', tmp]);
    const pkg = join(tmp, `lastgasp-${version}.tgz`);
    const out = await capture(opts.helm, ['push', pkg, `oci://${opts.registry}`, ...(opts.plainHttp ? ['--plain-http'] : [])]);
    const chartDigest = helmPushDigest(out);
    if (chartDigest === null) throw new Error(`helm push printed no digest:\n${out}`);
    const chart = { name: 'lastgasp', version, ref: `oci://${opts.registry}/lastgasp`, digest: chartDigest };
    ctx.log(`pushed the chart ${chart.ref}:${version}@${chartDigest}`);
    const output = resolve(opts.output);
    const cliFile = join(dirname(output), `lastgasp-${version}.mjs`);
    ctx.log(`bundling the CLI into ${cliFile}`);
    await capture(process.execPath, [join(ctx.root, 'collector/scripts/bundle-cli.mjs'), cliFile], ctx.root);
    const cliBytes = await readFile(cliFile);
    const cli = { file: basename(cliFile), sha256: createHash('sha256').update(cliBytes).digest('hex'), bytes: cliBytes.length };
    const record: ReleaseRecord = {
      version,
      revision,
      registry: opts.registry,
      base: { image: opts.base, ...base },
      platforms: opts.platforms,
      images,
      chart,
      cli,
      publishedAt: ctx.now().toISOString(),
    };
    await writeFile(output, `${JSON.stringify(record, null, 2)}\n`);
    ctx.log(`wrote ${output}`);
    return record;
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}
