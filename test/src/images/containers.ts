// Daemonless containers for the test bed: buildah builds, podman runs, both with runc and lowered
// resource limits (on these machines root lacks CAP_SYS_RESOURCE, so the default limits are refused,
// and crun does not work with their cgroups). Images live in the machine's containers storage.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Flags every build and run takes here. */
export const RUNTIME_FLAGS = ['--runtime', 'runc', '--ulimit', 'nofile=1024:1024', '--ulimit', 'nproc=1024:1024'];

export async function buildah(args: string[], opts: { cwd?: string; timeoutMs?: number } = {}): Promise<string> {
  const { stdout } = await run('buildah', args, { cwd: opts.cwd, timeout: opts.timeoutMs ?? 900_000, maxBuffer: 64 << 20, env: { ...process.env, BUILDAH_ISOLATION: 'chroot' } });
  return stdout;
}

export async function podman(args: string[], opts: { timeoutMs?: number } = {}): Promise<string> {
  const { stdout } = await run('podman', args, { timeout: opts.timeoutMs ?? 120_000, maxBuffer: 64 << 20 });
  return stdout;
}

/** The image's inspect record, or null when there is no such image. */
export async function inspectImage(ref: string): Promise<ImageInfo | null> {
  try {
    const [info] = JSON.parse(await podman(['image', 'inspect', ref])) as ImageInfo[];
    return info ?? null;
  } catch {
    return null;
  }
}

export interface ImageInfo {
  Id: string;
  Digest?: string;
  Size: number;
  Labels?: Record<string, string> | null;
  Config?: { User?: string; Env?: string[]; Labels?: Record<string, string> | null; Entrypoint?: string[] };
}
