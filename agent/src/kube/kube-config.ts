// Where the API server is and how to authenticate: a kubeconfig file (current context; embedded or
// file certificates, token or token file) or the in-cluster ServiceAccount. Exec and auth-provider
// plugins are not supported (a DaemonSet uses its ServiceAccount).
//
// Why not @kubernetes/client-node at run time: importing it loads every generated model and API class,
// ~60 MiB of resident memory on every node for the five requests this agent makes. Its types are still
// used (type-only imports cost nothing at run time).
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';

export interface KubeTarget {
  /** `https://host:port`, no trailing slash. */
  server: string;
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  insecureSkipTlsVerify: boolean;
  /** Bearer token, read at every request (projected ServiceAccount tokens rotate on disk). */
  token(): string | null;
}

export class KubeConfigError extends Error {
  readonly code = 'ERR_LASTGASP_KUBECONFIG';
  constructor(message: string) {
    super(message);
    this.name = 'KubeConfigError';
  }
}

type Entry = Record<string, unknown>;

function named(list: unknown, name: unknown, kind: string, key: string): Entry {
  const found = Array.isArray(list) ? (list as Entry[]).find((e) => e.name === name) : undefined;
  const value = found?.[key];
  if (typeof value !== 'object' || value === null) throw new KubeConfigError(`kubeconfig: ${kind} "${String(name)}" not found`);
  return value as Entry;
}

function material(entry: Entry, dataKey: string, fileKey: string, base: string): Buffer | undefined {
  const data = entry[dataKey];
  if (typeof data === 'string') return Buffer.from(data, 'base64');
  const file = entry[fileKey];
  if (typeof file === 'string') return readFileSync(resolve(base, file));
  return undefined;
}

export function loadKubeconfigFile(path: string): KubeTarget {
  const doc = parseYaml(readFileSync(path, 'utf8')) as Entry | null;
  if (doc === null || typeof doc !== 'object') throw new KubeConfigError(`kubeconfig ${path}: not a mapping`);
  const contextName = doc['current-context'];
  const context = named(doc.contexts, contextName, 'context', 'context');
  const cluster = named(doc.clusters, context.cluster, 'cluster', 'cluster');
  const user = context.user === undefined ? {} : named(doc.users, context.user, 'user', 'user');
  if (user.exec !== undefined || user['auth-provider'] !== undefined) {
    throw new KubeConfigError(`kubeconfig ${path}: user "${String(context.user)}" uses an exec/auth-provider plugin, which the agent does not support`);
  }
  if (typeof cluster.server !== 'string') throw new KubeConfigError(`kubeconfig ${path}: cluster has no server`);
  const base = dirname(path);
  const tokenFile = typeof user.tokenFile === 'string' ? resolve(base, user.tokenFile) : null;
  const token = typeof user.token === 'string' ? user.token : null;
  return {
    server: cluster.server.replace(/\/$/, ''),
    ca: material(cluster, 'certificate-authority-data', 'certificate-authority', base),
    cert: material(user, 'client-certificate-data', 'client-certificate', base),
    key: material(user, 'client-key-data', 'client-key', base),
    insecureSkipTlsVerify: cluster['insecure-skip-tls-verify'] === true,
    token: () => token ?? (tokenFile === null ? null : readFileSync(tokenFile, 'utf8').trim()),
  };
}

const SA_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

export function loadInCluster(env: Record<string, string | undefined>): KubeTarget {
  const host = env.KUBERNETES_SERVICE_HOST;
  const port = env.KUBERNETES_SERVICE_PORT;
  if (host === undefined || port === undefined) {
    throw new KubeConfigError('not in a cluster (KUBERNETES_SERVICE_HOST/PORT unset) and no --kubeconfig given');
  }
  return {
    server: `https://${host.includes(':') ? `[${host}]` : host}:${port}`,
    ca: readFileSync(`${SA_DIR}/ca.crt`),
    insecureSkipTlsVerify: false,
    token: () => readFileSync(`${SA_DIR}/token`, 'utf8').trim(),
  };
}
