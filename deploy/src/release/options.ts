// What `npm run release` is asked to do, read from its arguments: pure, so every refusal is tested
// without a builder. Bad arguments fail before anything is built, naming the option.
import { parseArgs } from 'node:util';

export type Builder = 'docker' | 'podman' | 'buildah';
export const IMAGE_NAMES = ['collector', 'agent'] as const;
export type ImageName = (typeof IMAGE_NAMES)[number];

export interface ReleaseOptions {
  /** host[:port][/path]: images go to <registry>/lastgasp-<name>, the chart to oci://<registry>/lastgasp. */
  registry: string;
  /** Plain HTTP (no TLS) to the registry and to the base image's registry: local registries in tests. */
  plainHttp: boolean;
  builder: Builder;
  /** Extra arguments for every build (e.g. buildah's --runtime runc). */
  buildFlags: string[];
  /** The base image (NODE_IMAGE); without a digest, pulled and pinned to the digest it resolves to. */
  base: string;
  /** Multi-arch through docker buildx (e.g. linux/amd64,linux/arm64); empty: the builder's own platform. */
  platforms: string[];
  helm: string;
  /** Where the record of what was published goes. */
  output: string;
}

export const USAGE = `npm run release -- --registry HOST[:PORT][/PATH] [options]

Builds the collector and agent images from deploy/images/*.Dockerfile and the Helm chart with the version
of the root package.json, pushes them to the registry, and writes what it published (image digests, the
base image's digest, the chart's version and digest) to a JSON file, with the one-file CLI
lastgasp-<version>.mjs beside it. The packaged chart points at the pushed images by digest.

  --registry REF       where to publish (required); images <REF>/lastgasp-collector and <REF>/lastgasp-agent,
                       the chart oci://<REF>/lastgasp
  --plain-http         talk HTTP, not HTTPS, to the registry (a local test registry)
  --builder NAME       docker, podman or buildah (default: the first one installed, in that order)
  --build-flag FLAG    an extra argument for every build, repeatable (e.g. --build-flag=--runtime=runc)
  --base IMAGE         the Node.js base image (default node:<major of .node-version>-bookworm-slim);
                       pinned by digest: given as IMAGE@sha256:…, or the digest its registry
                       serves for the tag (skopeo, or docker buildx imagetools)
  --platform LIST      e.g. linux/amd64,linux/arm64: a multi-arch build and push with docker buildx
  --helm PATH          the helm binary (default: helm)
  --output FILE        the record of what was published (default: release.json)
`;

const REGISTRY = /^[a-z0-9.-]+(:\d{1,5})?(\/[a-z0-9._-]+)*$/;
const PLATFORM = /^[a-z0-9]+\/[a-z0-9]+(\/[a-z0-9]+)?$/;

export class UsageError extends Error {}

export function parseReleaseArgs(argv: string[], defaults: { nodeMajor: number; installed: Builder[] }): ReleaseOptions {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        registry: { type: 'string' },
        'plain-http': { type: 'boolean', default: false },
        builder: { type: 'string' },
        'build-flag': { type: 'string', multiple: true, default: [] },
        base: { type: 'string' },
        platform: { type: 'string' },
        helm: { type: 'string', default: 'helm' },
        output: { type: 'string', default: 'release.json' },
      },
    }));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const registry = (values.registry ?? '').replace(/\/+$/, '');
  if (registry === '') throw new UsageError('--registry is required (host[:port][/path])');
  if (!REGISTRY.test(registry)) throw new UsageError(`--registry ${registry}: not host[:port][/path] in lower case`);
  const builder = values.builder ?? defaults.installed[0];
  if (builder === undefined) throw new UsageError('--builder: none of docker, podman, buildah is installed');
  if (builder !== 'docker' && builder !== 'podman' && builder !== 'buildah') throw new UsageError(`--builder ${builder}: docker, podman or buildah`);
  const platforms = (values.platform ?? '').split(',').map((p) => p.trim()).filter((p) => p !== '');
  for (const p of platforms) if (!PLATFORM.test(p)) throw new UsageError(`--platform ${p}: not os/arch[/variant]`);
  if (platforms.length > 0 && builder !== 'docker') throw new UsageError('--platform: multi-arch builds need --builder docker (buildx)');
  return {
    registry,
    plainHttp: values['plain-http'],
    builder,
    buildFlags: values['build-flag'],
    base: values.base ?? `node:${defaults.nodeMajor}-bookworm-slim`,
    platforms,
    helm: values.helm,
    output: values.output,
  };
}

/** `<registry>/lastgasp-<name>` */
export function imageRepository(registry: string, name: ImageName): string {
  return `${registry}/lastgasp-${name}`;
}

/** The repository part of an image reference (no tag, no digest). */
export function repositoryOf(ref: string): string {
  const noDigest = ref.split('@')[0] ?? ref;
  const slash = noDigest.lastIndexOf('/');
  const colon = noDigest.lastIndexOf(':');
  return colon > slash ? noDigest.slice(0, colon) : noDigest;
}

/** The tag of a reference without a digest; `latest` when it names none. */
export function tagOf(ref: string): string {
  const repo = repositoryOf(ref);
  const rest = (ref.split('@')[0] ?? ref).slice(repo.length);
  return rest.startsWith(':') ? rest.slice(1) : 'latest';
}

/** `docker.io/library/node` for `node`, as podman and docker record repositories. */
export function normalizeRepository(repo: string): string {
  const first = repo.split('/')[0] ?? '';
  const hasHost = repo.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost');
  if (hasHost) return repo;
  return repo.includes('/') ? `docker.io/${repo}` : `docker.io/library/${repo}`;
}

export const DIGEST = /^sha256:[a-f0-9]{64}$/;

/** The digest of `repo@sha256:…`, or null when the reference has none. */
export function digestOf(ref: string): string | null {
  const d = ref.split('@')[1];
  return d !== undefined && DIGEST.test(d) ? d : null;
}

/** `Digest: sha256:…` from helm push's output. */
export function helmPushDigest(output: string): string | null {
  const m = /^Digest:\s*(sha256:[a-f0-9]{64})\s*$/m.exec(output);
  return m?.[1] ?? null;
}
