// Reads our own targets (names starting with `<prefix>-`) back from configfs. Others are never touched.
import { join } from 'node:path';
import { SYSDATA_SWITCHES, type ObservedTarget } from '../types.js';
import { errorCode, type ConfigfsFs } from './configfs-fs.js';

/** The attributes the agent writes or checks; everything else in a target is left alone. */
export const MANAGED_ATTRIBUTES = [
  'enabled',
  'dev_name',
  'local_ip',
  'remote_ip',
  'remote_port',
  'remote_mac',
  'extended',
  'release',
  'ratelimit_interval_ms',
  'ratelimit_burst',
] as const;

export function isOurTarget(name: string, prefix: string): boolean {
  return name.startsWith(`${prefix}-`);
}

/** userdata items (directories with a `value`) and the sysdata switches (`<name>_enabled` files). */
async function readUserdata(
  fs: ConfigfsFs,
  targetDir: string,
  names: readonly string[],
): Promise<Pick<ObservedTarget, 'userdata' | 'sysdata'>> {
  const userdata: Record<string, string> = {};
  const sysdata: ObservedTarget['sysdata'] = {};
  if (!names.includes('userdata')) return { userdata, sysdata };
  for (const key of await fs.list(join(targetDir, 'userdata'))) {
    const path = join(targetDir, 'userdata', key);
    const sw = SYSDATA_SWITCHES.find((s) => key === `${s}_enabled`);
    if (sw !== undefined) {
      sysdata[sw] = (await fs.read(path).catch(() => '')).trim();
      continue;
    }
    if (!(await fs.isDirectory(path))) continue;
    userdata[key] = (await fs.read(join(path, 'value')).catch(() => '')).trim();
  }
  return { userdata, sysdata };
}

export async function readTarget(fs: ConfigfsFs, dir: string, name: string): Promise<ObservedTarget | null> {
  const targetDir = join(dir, name);
  let names: string[];
  try {
    names = await fs.list(targetDir);
  } catch (err) {
    if (errorCode(err) === 'ENOENT') return null;
    throw err;
  }
  const attributes: Record<string, string> = {};
  for (const attribute of MANAGED_ATTRIBUTES) {
    if (names.includes(attribute)) attributes[attribute] = (await fs.read(join(targetDir, attribute))).trim();
  }
  return { name, attributes, ...(await readUserdata(fs, targetDir, names)) };
}

export async function readTargets(fs: ConfigfsFs, dir: string, prefix: string, probeName: string): Promise<ObservedTarget[]> {
  const names = (await fs.list(dir)).filter((n) => isOurTarget(n, prefix) && n !== probeName).sort();
  const targets: ObservedTarget[] = [];
  for (const name of names) {
    const target = await readTarget(fs, dir, name);
    if (target !== null) targets.push(target);
  }
  return targets;
}
