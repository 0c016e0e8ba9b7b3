// Which netconsole attributes this kernel has, from the listing of a fresh (disabled) probe target.
import { join } from 'node:path';
import type { KernelFeatures } from '../types.js';
import { errorCode, type ConfigfsFs } from './configfs-fs.js';

/**
 * Attributes every dynamic netconsole has had since `extended` appeared (4.4). An empty listing only
 * happens on an ordinary directory standing in for configfs (benchmark, integration tests); it is
 * treated as a kernel with exactly these.
 */
export const BASE_ATTRIBUTES = [
  'enabled',
  'extended',
  'dev_name',
  'local_port',
  'remote_port',
  'local_ip',
  'remote_ip',
  'local_mac',
  'remote_mac',
] as const;

export function featuresFromListing(names: readonly string[]): KernelFeatures {
  const attributes = names.length === 0 ? [...BASE_ATTRIBUTES] : [...names].sort();
  const has = (name: string) => attributes.includes(name);
  return {
    attributes,
    extended: has('extended'),
    // release only means something in extended mode (the kernel refuses it otherwise).
    release: has('extended') && has('release'),
    userdata: has('userdata'),
  };
}

export function describeFeatures(features: KernelFeatures): string {
  const used = [features.extended && 'extended', features.release && 'release', features.userdata && 'userdata'];
  const names = used.filter((u): u is string => typeof u === 'string');
  return names.length === 0 ? 'legacy' : names.join(', ');
}

/** Creates `<dir>/<probeName>`, lists it, removes it. A probe left over from a crash is reused. */
export async function detectFeatures(fs: ConfigfsFs, dir: string, probeName: string): Promise<KernelFeatures> {
  const probe = join(dir, probeName);
  try {
    await fs.mkdir(probe);
  } catch (err) {
    if (errorCode(err) !== 'EEXIST') throw err;
  }
  try {
    return featuresFromListing(await fs.list(probe));
  } finally {
    await fs.rmdir(probe);
  }
}
