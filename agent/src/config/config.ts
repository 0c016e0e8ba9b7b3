// The agent's configuration: flags, optionally a YAML/JSON file (`--config`) under camelCase keys, and
// the downward-API environment. Precedence: flag > file > environment > default. Every problem is a
// ConfigError naming the field, raised before anything starts.
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { parse as parseYaml } from 'yaml';
import { PANIC_REBOOT_REMEDIES, type PanicRebootRemedy } from '../panic-reboot/assess-panic-reboot.js';
import { SYSDATA_SWITCHES, type CollectorEndpoint, type RateLimit, type SysdataSwitch } from '../types.js';
import { parseEndpoint } from '../discover/parse-endpoint.js';
import { DURATION_EXAMPLES, parseDuration } from '@lastgasp/proto/duration';
import { isLogFormat, LOG_FORMATS, type LogFormat } from '@lastgasp/proto/log-format';

export interface ListenAddress {
  host: string;
  port: number;
}

export interface AgentConfig {
  kubeconfig: string | null;
  nodeName: string;
  collectorNamespace: string;
  collectorService: string;
  collectorPortName: string;
  /** Set: use these collectors and do not watch EndpointSlices. */
  staticCollectors: CollectorEndpoint[] | null;
  httpListen: ListenAddress;
  configfsRoot: string;
  targetPrefix: string;
  recheckIntervalMs: number;
  /** 0 = no canary at all (none after a reconfiguration either). */
  canaryIntervalMs: number;
  daemonsetName: string | null;
  /** Namespace of the agent's own DaemonSet (env POD_NAMESPACE). */
  podNamespace: string;
  logLevel: string;
  /** json: pino's JSON lines; text: one readable line per entry, for a terminal. */
  logFormat: LogFormat;
  kmsgPath: string;
  printkPath: string;
  /** Watch `ip monitor` for route, neighbour and link changes (re-check on change). */
  ipMonitor: boolean;
  /** Sysdata switches to turn on where the kernel has them (7.x). */
  sysdata: SysdataSwitch[];
  /** Per-target rate limit where the kernel has one; null = the kernel's default. */
  ratelimit: RateLimit | null;
  /** nbcon netconsole + kernel.panic ≠ 0: report only, or also set kernel.panic=0 on such nodes. */
  panicReboot: PanicRebootRemedy;
  consolesPath: string;
  panicSysctlPath: string;
  kubeletConfigPath: string;
}

export class ConfigError extends Error {
  readonly code = 'ERR_LASTGASP_CONFIG';
  constructor(
    readonly field: string,
    problem: string,
  ) {
    super(`config: ${field}: ${problem}`);
    this.name = 'ConfigError';
  }
}

/** flag name → camelCase key; string-valued unless listed in BOOLEAN_FLAGS. */
const FLAGS = {
  config: 'config',
  kubeconfig: 'kubeconfig',
  'node-name': 'nodeName',
  'collector-namespace': 'collectorNamespace',
  'collector-service': 'collectorService',
  'collector-port-name': 'collectorPortName',
  'static-collectors': 'staticCollectors',
  'http-listen': 'httpListen',
  'configfs-root': 'configfsRoot',
  'target-prefix': 'targetPrefix',
  'recheck-interval': 'recheckInterval',
  'canary-interval': 'canaryInterval',
  'daemonset-name': 'daemonsetName',
  'log-level': 'logLevel',
  'log-format': 'logFormat',
  'kmsg-path': 'kmsgPath',
  'printk-path': 'printkPath',
  'ip-monitor': 'ipMonitor',
  sysdata: 'sysdata',
  'ratelimit-interval': 'ratelimitInterval',
  'ratelimit-burst': 'ratelimitBurst',
  'panic-reboot': 'panicReboot',
  'consoles-path': 'consolesPath',
  'panic-sysctl-path': 'panicSysctlPath',
  'kubelet-config': 'kubeletConfigPath',
} as const;
const BOOLEAN_FLAGS = new Set<string>(['ip-monitor']);
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export const USAGE = `usage: lastgasp-agent [flags]

  --config FILE                 YAML/JSON file with the same settings under camelCase keys
  --kubeconfig FILE             else in-cluster
  --node-name NAME              env NODE_NAME
  --collector-namespace NS      env POD_NAMESPACE
  --collector-service NAME      default lastgasp-collector
  --collector-port-name NAME    default netconsole
  --static-collectors LIST      IP:PORT,[IPv6]:PORT,... instead of discovery
  --http-listen HOST:PORT       default [::]:6669 (/metrics, /livez, /readyz)
  --configfs-root DIR           default /sys/kernel/config
  --target-prefix PREFIX        default lastgasp
  --recheck-interval DURATION   default 60s
  --canary-interval DURATION    default 6h, 0 = off
  --daemonset-name NAME         env DAEMONSET_NAME
  --log-level LEVEL             default info
  --log-format json|text        default json; text for a terminal
  --version                     print the version and exit
  --kmsg-path FILE              default /dev/kmsg
  --printk-path FILE            default /proc/sys/kernel/printk
  --ip-monitor / --no-ip-monitor  re-check on route/neighbour/link changes (default on)
  --sysdata LIST                sysdata switches to turn on where the kernel has them: msgid,cpu_nr,taskname,release
                                (default msgid,cpu_nr,taskname; "none" = all off)
  --ratelimit-interval DURATION per-target rate limit window where the kernel has one (with --ratelimit-burst)
  --ratelimit-burst N           messages per window (crash output bypasses the limit)
  --panic-reboot MODE           nbcon netconsole + kernel.panic≠0 (no panic line would leave the node): report
                                (default) or set-panic-zero (also write kernel.panic=0 on such nodes only)
  --consoles-path FILE          default /proc/consoles
  --panic-sysctl-path FILE      default /proc/sys/kernel/panic
  --kubelet-config FILE         the kubelet's configuration, read for protectKernelDefaults
                                (default /var/lib/kubelet/config.yaml)
`;

type RawSettings = Record<string, unknown>;

function parseFlags(argv: string[]): RawSettings {
  const options: Record<string, { type: 'string' | 'boolean' }> = { help: { type: 'boolean' } };
  for (const flag of Object.keys(FLAGS)) options[flag] = { type: BOOLEAN_FLAGS.has(flag) ? 'boolean' : 'string' };
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options, allowNegative: true, strict: true, allowPositionals: false });
  } catch (err) {
    throw new ConfigError('flags', err instanceof Error ? err.message : String(err));
  }
  const raw: RawSettings = {};
  for (const [flag, key] of Object.entries(FLAGS)) {
    const value: unknown = parsed.values[flag];
    if (value !== undefined) raw[key] = value;
  }
  if (parsed.values.help === true) raw.help = true;
  return raw;
}

async function readConfigFile(path: string): Promise<RawSettings> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new ConfigError('config', `cannot read ${path}: ${err instanceof Error ? err.message : String(err)}`);
  }
  let value: unknown;
  try {
    value = parseYaml(text);
  } catch (err) {
    throw new ConfigError('config', `${path} is not YAML/JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (value === null || value === undefined) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw new ConfigError('config', `${path} must hold a mapping`);
  const known = new Set<string>(Object.values(FLAGS));
  for (const key of Object.keys(value)) {
    if (!known.has(key) || key === 'config') throw new ConfigError(key, `unknown setting in ${path}`);
  }
  return value as RawSettings;
}

function text(raw: RawSettings, key: string, fallback: string | undefined): string | undefined {
  const value = raw[key];
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'string' && typeof value !== 'number') throw new ConfigError(key, 'must be a string');
  return String(value);
}

function required(key: string, value: string | undefined, hint: string): string {
  if (value === undefined || value.trim() === '') throw new ConfigError(key, `is required (${hint})`);
  return value.trim();
}

export function parseListen(field: string, value: string): ListenAddress {
  const match = /^\[([^\]]*)\]:(\d+)$/.exec(value) ?? /^([^:]*):(\d+)$/.exec(value);
  const port = Number(match?.[2]);
  if (match === null || !Number.isInteger(port) || port > 65535) throw new ConfigError(field, `"${value}" is not HOST:PORT`);
  return { host: match[1] === '' ? '::' : (match[1] ?? '::'), port };
}

function duration(key: string, value: string): number {
  const ms = parseDuration(value);
  if (ms === null) throw new ConfigError(key, `"${value}" is not a duration such as ${DURATION_EXAMPLES} or 0`);
  return ms;
}

function staticList(raw: RawSettings): CollectorEndpoint[] | null {
  const value = raw.staticCollectors;
  if (value === undefined || value === null || value === '') return null;
  const items = Array.isArray(value) ? value : typeof value === 'string' ? value.split(',') : null;
  if (items === null) throw new ConfigError('staticCollectors', 'must be a list or a comma-separated string');
  const endpoints = items.map((item) => {
    const parsed = typeof item === 'string' ? parseEndpoint(item) : 'entries must be strings';
    if (typeof parsed === 'string') throw new ConfigError('staticCollectors', parsed);
    return parsed;
  });
  if (endpoints.length === 0) throw new ConfigError('staticCollectors', 'is empty');
  return endpoints;
}

function sysdataList(raw: RawSettings): SysdataSwitch[] {
  const value = raw.sysdata ?? 'msgid,cpu_nr,taskname';
  const items = Array.isArray(value) ? value : typeof value === 'string' ? value.split(',').map((v) => v.trim()).filter((v) => v !== '') : null;
  if (items === null) throw new ConfigError('sysdata', 'must be a list or a comma-separated string');
  if (items.length === 1 && items[0] === 'none') return [];
  const unknown = items.filter((i) => typeof i !== 'string' || !(SYSDATA_SWITCHES as readonly string[]).includes(i));
  if (unknown.length > 0) throw new ConfigError('sysdata', `unknown switch ${unknown.map(String).join(', ')} (known: ${SYSDATA_SWITCHES.join(', ')}, or none)`);
  return [...new Set(items as SysdataSwitch[])];
}

function rateLimit(raw: RawSettings): RateLimit | null {
  const interval = text(raw, 'ratelimitInterval', undefined);
  const burst = text(raw, 'ratelimitBurst', undefined);
  if (interval === undefined && burst === undefined) return null;
  if (interval === undefined) throw new ConfigError('ratelimitInterval', 'is required with ratelimitBurst');
  if (burst === undefined) throw new ConfigError('ratelimitBurst', 'is required with ratelimitInterval');
  const intervalMs = duration('ratelimitInterval', interval);
  if (intervalMs < 1) throw new ConfigError('ratelimitInterval', 'must be at least 1ms');
  const n = Number(burst);
  if (!Number.isInteger(n) || n < 1) throw new ConfigError('ratelimitBurst', `"${burst}" is not a positive integer`);
  return { intervalMs, burst: n };
}

function panicRebootMode(raw: RawSettings): PanicRebootRemedy {
  const value = text(raw, 'panicReboot', 'report') ?? 'report';
  const mode = PANIC_REBOOT_REMEDIES.find((m) => m === value);
  if (mode === undefined) throw new ConfigError('panicReboot', `"${value}" is not one of ${PANIC_REBOOT_REMEDIES.join(', ')}`);
  return mode;
}

function bool(raw: RawSettings, key: string, fallback: boolean): boolean {
  const value = raw[key];
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw new ConfigError(key, 'must be true or false');
  return value;
}

/** Resolves argv + file + env into a validated config; `help` when --help was given. */
export async function loadConfig(
  argv: string[],
  env: Record<string, string | undefined>,
): Promise<AgentConfig | 'help'> {
  const flags = parseFlags(argv);
  if (flags.help === true) return 'help';
  const configPath = typeof flags.config === 'string' ? flags.config : undefined;
  const raw: RawSettings = { ...(configPath === undefined ? {} : await readConfigFile(configPath)), ...flags };
  return resolveConfig(raw, env);
}

function logSettings(raw: RawSettings): Pick<AgentConfig, 'logLevel' | 'logFormat'> {
  const logLevel = text(raw, 'logLevel', 'info') ?? 'info';
  if (!LOG_LEVELS.includes(logLevel)) throw new ConfigError('logLevel', `"${logLevel}" is not one of ${LOG_LEVELS.join(', ')}`);
  const logFormat = text(raw, 'logFormat', 'json') ?? 'json';
  if (!isLogFormat(logFormat)) throw new ConfigError('logFormat', `"${logFormat}" is not one of ${LOG_FORMATS.join(', ')}`);
  return { logLevel, logFormat };
}

export function resolveConfig(raw: RawSettings, env: Record<string, string | undefined>): AgentConfig {
  const staticCollectors = staticList(raw);
  const nodeName = required('nodeName', text(raw, 'nodeName', env.NODE_NAME), '--node-name or env NODE_NAME');
  const namespaceValue = text(raw, 'collectorNamespace', env.POD_NAMESPACE);
  const collectorNamespace =
    staticCollectors === null
      ? required('collectorNamespace', namespaceValue, '--collector-namespace or env POD_NAMESPACE')
      : (namespaceValue ?? '');
  const targetPrefix = text(raw, 'targetPrefix', 'lastgasp') ?? 'lastgasp';
  if (!/^[a-z0-9][a-z0-9_]{0,15}$/.test(targetPrefix)) {
    throw new ConfigError('targetPrefix', `"${targetPrefix}" must be 1-16 of [a-z0-9_], starting with a letter or digit`);
  }
  const { logLevel, logFormat } = logSettings(raw);
  const recheckIntervalMs = duration('recheckInterval', text(raw, 'recheckInterval', '60s') ?? '60s');
  if (recheckIntervalMs < 1000) throw new ConfigError('recheckInterval', 'must be at least 1s');
  return {
    kubeconfig: text(raw, 'kubeconfig', undefined) ?? null,
    nodeName,
    collectorNamespace,
    collectorService: required('collectorService', text(raw, 'collectorService', 'lastgasp-collector'), 'a Service name'),
    collectorPortName: required('collectorPortName', text(raw, 'collectorPortName', 'netconsole'), 'a port name'),
    staticCollectors,
    httpListen: parseListen('httpListen', text(raw, 'httpListen', '[::]:6669') ?? '[::]:6669'),
    configfsRoot: required('configfsRoot', text(raw, 'configfsRoot', '/sys/kernel/config'), 'a directory'),
    targetPrefix,
    recheckIntervalMs,
    canaryIntervalMs: duration('canaryInterval', text(raw, 'canaryInterval', '6h') ?? '6h'),
    daemonsetName: text(raw, 'daemonsetName', env.DAEMONSET_NAME) ?? null,
    podNamespace: env.POD_NAMESPACE ?? collectorNamespace,
    logLevel,
    logFormat,
    kmsgPath: text(raw, 'kmsgPath', '/dev/kmsg') ?? '/dev/kmsg',
    printkPath: text(raw, 'printkPath', '/proc/sys/kernel/printk') ?? '/proc/sys/kernel/printk',
    ipMonitor: bool(raw, 'ipMonitor', true),
    sysdata: sysdataList(raw),
    ratelimit: rateLimit(raw),
    panicReboot: panicRebootMode(raw),
    consolesPath: text(raw, 'consolesPath', '/proc/consoles') ?? '/proc/consoles',
    panicSysctlPath: text(raw, 'panicSysctlPath', '/proc/sys/kernel/panic') ?? '/proc/sys/kernel/panic',
    kubeletConfigPath: text(raw, 'kubeletConfigPath', '/var/lib/kubelet/config.yaml') ?? '/var/lib/kubelet/config.yaml',
  };
}
