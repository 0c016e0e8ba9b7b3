// `lastgasp-collector serve`: flags + config file (flags win) → validated config → app; graceful
// shutdown on SIGTERM/SIGINT. Returns the exit code: 0 after a clean stop, 2 for bad flags or config.
import { logDestination } from '@lastgasp/proto/log-format';
import { buildInfo } from '@lastgasp/proto/version';
import { parseArgs } from 'node:util';
import { KubeConfig } from './kube/client-node.js';
import { pino } from 'pino';
import { startApp } from './app.js';
import { loadConfig } from './config/load-config.js';
import { ConfigError } from './config/validate-config.js';

const help = `usage: lastgasp-collector serve [flags]

  --config FILE              YAML or JSON config file (every flag has a camelCase key there; flags win)
  --kubeconfig FILE          Kubernetes client config (default: in-cluster)
  --standalone               no Kubernetes API: classify, log and serve incidents, never remediate
  --udp-listen HOST:PORT     netconsole receiver (default [::]:6666, dual-stack)
  --udp-receiver KIND        auto|native|dgram: recvmmsg batch addon or node:dgram (default auto)
  --grpc-listen HOST:PORT    gRPC status API (default [::]:6667)
  --http-listen HOST:PORT    /metrics, /livez, /readyz (default [::]:6668)
  --identity NAME            this replica's name (default env POD_NAME, else the hostname)
  --lease-namespace NS       leader Lease namespace (default env POD_NAMESPACE, else default)
  --lease-name NAME          leader Lease name (default lastgasp-collector)
  --rules FILE               classification rules (default: the shipped rules)
  --dry-run                  record and explain, never delete or taint (policy.dryRun)
  --refuse-legacy            only extended-format (kernel facility) records open incidents (trustLegacy: false, the default)
  --trust-legacy             legacy plain-text netconsole may open incidents too (trustLegacy: true; anything that writes the console can forge one)
  --log-level LEVEL          fatal|error|warn|info|debug|trace (default info)
  --log-format FORMAT        json (default) | text (one readable line per entry, for a terminal)
  --grpc-tls-cert FILE       gRPC server certificate (with --grpc-tls-key)
  --grpc-tls-key FILE        gRPC server key
  --grpc-client-ca FILE      require client certificates signed by this CA
`;

const OPTIONS = {
  config: { type: 'string' },
  kubeconfig: { type: 'string' },
  standalone: { type: 'boolean' },
  'udp-listen': { type: 'string' },
  'udp-receiver': { type: 'string' },
  'grpc-listen': { type: 'string' },
  'http-listen': { type: 'string' },
  identity: { type: 'string' },
  'lease-namespace': { type: 'string' },
  'lease-name': { type: 'string' },
  rules: { type: 'string' },
  'dry-run': { type: 'boolean' },
  'refuse-legacy': { type: 'boolean' },
  'trust-legacy': { type: 'boolean' },
  'log-level': { type: 'string' },
  'log-format': { type: 'string' },
  'grpc-tls-cert': { type: 'string' },
  'grpc-tls-key': { type: 'string' },
  'grpc-client-ca': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS }>>['values'];

export interface ServeArgs {
  help: boolean;
  configFile: string | null;
  /** The flags in the config file's shape (absent flags are absent keys). */
  flags: Record<string, unknown>;
}

/** Throws (a TypeError from node:util) on an unknown flag or a missing value. */
export function parseServeArgs(argv: string[]): ServeArgs {
  const { values } = parseArgs({ args: argv, options: OPTIONS, allowPositionals: false, strict: true });
  return { help: values.help === true, configFile: values.config ?? null, flags: flagsAsConfig(values) };
}

/** Flags in the config file's shape; absent flags are absent keys, so the file's value stays. */
function flagsAsConfig(v: Values): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const set = (key: string, value: unknown): void => {
    if (value !== undefined) out[key] = value;
  };
  set('kubeconfig', v.kubeconfig);
  set('standalone', v.standalone);
  set('udpListen', v['udp-listen']);
  set('udpReceiver', v['udp-receiver']);
  set('grpcListen', v['grpc-listen']);
  set('httpListen', v['http-listen']);
  set('identity', v.identity);
  set('leaseNamespace', v['lease-namespace']);
  set('leaseName', v['lease-name']);
  set('rulesFile', v.rules);
  set('logLevel', v['log-level']);
  set('logFormat', v['log-format']);
  if (v['trust-legacy'] === true) out.trustLegacy = true;
  if (v['refuse-legacy'] === true) out.trustLegacy = false;
  if (v['dry-run'] !== undefined) out.policy = { dryRun: v['dry-run'] };
  const grpc: Record<string, unknown> = {};
  if (v['grpc-tls-cert'] !== undefined) grpc.tlsCert = v['grpc-tls-cert'];
  if (v['grpc-tls-key'] !== undefined) grpc.tlsKey = v['grpc-tls-key'];
  if (v['grpc-client-ca'] !== undefined) grpc.clientCa = v['grpc-client-ca'];
  if (Object.keys(grpc).length > 0) out.grpc = grpc;
  return out;
}

function waitForSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const on = (signal: NodeJS.Signals): void => {
      process.off('SIGTERM', on);
      process.off('SIGINT', on);
      resolve(signal);
    };
    process.on('SIGTERM', on);
    process.on('SIGINT', on);
  });
}

export async function serveCommand(argv: string[]): Promise<number> {
  let args: ServeArgs;
  try {
    args = parseServeArgs(argv);
  } catch (err) {
    process.stderr.write(`lastgasp-collector serve: ${(err as Error).message}\n\n${help}`);
    return 2;
  }
  if (args.help) {
    process.stdout.write(help);
    return 0;
  }
  let config;
  try {
    config = await loadConfig({ configFile: args.configFile, flags: args.flags, env: process.env });
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`lastgasp-collector serve: invalid configuration: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
  const logger = pino({ level: config.logLevel, base: { identity: config.identity } }, logDestination(config.logFormat));
  const build = buildInfo();
  logger.info({ version: build.version, revision: build.revision, nodeVersion: build.nodeVersion }, 'lastgasp-collector starting');
  let kubeConfig: KubeConfig | null = null;
  if (!config.standalone) {
    kubeConfig = new KubeConfig();
    if (config.kubeconfig !== null) kubeConfig.loadFromFile(config.kubeconfig);
    else kubeConfig.loadFromCluster();
  }
  const signal = waitForSignal();
  const app = await startApp({ config, logger, kubeConfig });
  const received = await signal;
  logger.info({ signal: received }, 'shutting down');
  await app.stop();
  logger.info('stopped');
  logger.flush();
  return 0;
}
