// Reads the optional config file (YAML or JSON; JSON is YAML), lays the flags over it and validates.
import { readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { parse as parseYaml } from 'yaml';
import { defaultConfig, type CollectorConfig } from './config.js';
import { ConfigError, mergeConfigObjects, validateConfig } from './validate-config.js';

export interface ConfigSources {
  configFile: string | null;
  /** Flag values in the file's shape (camelCase keys, nested `policy`), already parsed. */
  flags: Record<string, unknown>;
  env: Readonly<Record<string, string | undefined>>;
}

export function environmentDefaults(env: Readonly<Record<string, string | undefined>>): {
  identity: string;
  namespace: string;
} {
  const identity = env.POD_NAME !== undefined && env.POD_NAME !== '' ? env.POD_NAME : hostname();
  const namespace = env.POD_NAMESPACE !== undefined && env.POD_NAMESPACE !== '' ? env.POD_NAMESPACE : 'default';
  return { identity, namespace };
}

/** Throws ConfigError naming the field (or `config` for an unreadable file). */
export async function loadConfig(sources: ConfigSources): Promise<CollectorConfig> {
  let fromFile: unknown = {};
  if (sources.configFile !== null) {
    let text: string;
    try {
      text = await readFile(sources.configFile, 'utf8');
    } catch (err) {
      throw new ConfigError('config', `cannot read ${sources.configFile}: ${(err as Error).message}`);
    }
    try {
      fromFile = parseYaml(text) ?? {};
    } catch (err) {
      throw new ConfigError('config', `${sources.configFile} is not valid YAML/JSON: ${(err as Error).message}`);
    }
  }
  const merged = mergeConfigObjects(fromFile, sources.flags);
  return validateConfig(merged, defaultConfig(environmentDefaults(sources.env)));
}
