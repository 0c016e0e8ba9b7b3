// Builds one of the project's Dockerfiles exactly as committed (only --build-arg values differ from a
// user's build) with buildah, against the locally made base image.
import { fileURLToPath } from 'node:url';
import { buildah, inspectImage, RUNTIME_FLAGS, type ImageInfo } from './containers.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export async function buildImage(opts: { dockerfile: string; tag: string; buildArgs?: Record<string, string> }): Promise<ImageInfo> {
  // No layer cache: buildah 1.28 reuses a cached LABEL step whose build arguments changed (a stale
  // revision label), so every build starts from the base image.
  const args = ['bud', '--pull-never', '--network', 'host', ...RUNTIME_FLAGS, '--layers=false', '-f', opts.dockerfile, '-t', opts.tag];
  for (const [k, v] of Object.entries(opts.buildArgs ?? {})) args.push('--build-arg', `${k}=${v}`);
  await buildah([...args, '.'], { cwd: ROOT });
  const info = await inspectImage(opts.tag);
  if (info === null) throw new Error(`buildah built ${opts.tag} but podman cannot see it`);
  return info;
}
