// Which netconsole attributes this kernel has, from the listing of a fresh (disabled) probe target.
import { join } from 'node:path';
import { SYSDATA_SWITCHES, type KernelFeatures, type SysdataSwitch } from '../types.js';
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

/** `names`: a fresh target's listing; `userdataNames`: the listing of its userdata/ (sysdata switches). */
export function featuresFromListing(names: readonly string[], userdataNames: readonly string[] = []): KernelFeatures {
  const attributes = names.length === 0 ? [...BASE_ATTRIBUTES] : [...names].sort();
  const has = (name: string) => attributes.includes(name);
  const extended = has('extended');
  return {
    attributes,
    extended,
    // release only means something in extended mode (the kernel refuses it otherwise).
    release: extended && has('release'),
    userdata: has('userdata'),
    // sysdata lines are appended to extended messages only.
    sysdata: extended ? SYSDATA_SWITCHES.filter((s): s is SysdataSwitch => userdataNames.includes(`${s}_enabled`)) : [],
    ratelimit: has('ratelimit_interval_ms') && has('ratelimit_burst'),
  };
}

/** The feature names of a kernel, as the Node condition, metrics and the canary say them. */
export function featureNames(features: KernelFeatures): string[] {
  const names: string[] = [];
  if (features.extended) names.push('extended');
  if (features.release) names.push('release');
  if (features.userdata) names.push('userdata');
  for (const s of features.sysdata) names.push(`sysdata:${s}`);
  if (features.ratelimit) names.push('ratelimit');
  return names;
}

export function describeFeatures(features: KernelFeatures): string {
  const names = featureNames(features);
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
    const names = await fs.list(probe);
    const userdata = names.includes('userdata') ? await fs.list(join(probe, 'userdata')) : [];
    return featuresFromListing(names, userdata);
  } finally {
    await fs.rmdir(probe);
  }
}
