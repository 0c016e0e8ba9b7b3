// Makes `<root>/netconsole` available: mount configfs when the root is not mounted, load the
// netconsole module when its directory is missing. Failure is a value naming every step tried, so
// the Node condition can say ConfigfsUnavailable with the reason.
import { join } from 'node:path';
import type { CommandResult } from '../next-hop/ip-runner.js';
import type { ConfigfsFs } from './configfs-fs.js';

export interface PrepareDeps {
  fs: ConfigfsFs;
  run(file: string, args: string[]): Promise<CommandResult>;
  /** Text of /proc/self/mounts. */
  readMounts(): Promise<string>;
}

export type PrepareResult = { ok: true; dir: string; steps: string[] } | { ok: false; detail: string; steps: string[] };

export function isConfigfsMounted(mounts: string, root: string): boolean {
  return mounts.split('\n').some((line) => {
    const [, mountPoint, type] = line.split(' ');
    return type === 'configfs' && mountPoint === root;
  });
}

function describe(result: CommandResult): string {
  return result.code === 0 ? 'ok' : `failed (${result.code ?? 'not run'}): ${result.stderr.trim() || result.stdout.trim()}`;
}

export async function prepareConfigfs(root: string, deps: PrepareDeps): Promise<PrepareResult> {
  const dir = join(root, 'netconsole');
  const steps: string[] = [];
  if (await deps.fs.isDirectory(dir)) return { ok: true, dir, steps };
  if (!(await deps.fs.isDirectory(root))) {
    return { ok: false, detail: `${root} does not exist (is CONFIG_CONFIGFS_FS enabled?)`, steps };
  }
  let mounts = '';
  try {
    mounts = await deps.readMounts();
  } catch (err) {
    steps.push(`read mounts: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (!isConfigfsMounted(mounts, root)) {
    const mounted = await deps.run('mount', ['-t', 'configfs', 'none', root]);
    steps.push(`mount -t configfs none ${root}: ${describe(mounted)}`);
    if (await deps.fs.isDirectory(dir)) return { ok: true, dir, steps };
  }
  const loaded = await deps.run('modprobe', ['netconsole']);
  steps.push(`modprobe netconsole: ${describe(loaded)}`);
  if (await deps.fs.isDirectory(dir)) return { ok: true, dir, steps };
  return {
    ok: false,
    detail: `${dir} is missing (needs CONFIG_NETCONSOLE and CONFIG_NETCONSOLE_DYNAMIC); tried: ${steps.join('; ')}`,
    steps,
  };
}
