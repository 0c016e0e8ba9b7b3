// One keep-alive connection pool per KubeConfig for every API client the collector makes.
// `@kubernetes/client-node` 1.x builds a new `https.Agent` for every call
// (`KubeConfig.applySecurityAuthentication` → `createAgent`), so each call parses the key and
// certificates again and does a full TLS handshake. Here the KubeConfig still does all of its per-call
// work (token refresh, headers, TLS material and verification options); only the agent it made is
// replaced by one shared keep-alive agent built from the same options. The shared agent is rebuilt when
// that material changes (rotated client certificate or CA); the old one finishes its requests in flight
// and closes its sockets as they go idle. Proxy agents are left alone.
//
// `request` sends one JSON request through the same pool without the generated client: the per-pod
// writes of a remediation (hundreds at once) spend less CPU that way (no model (de)serialisation, no
// fetch layer), CPU that a small control plane's API server needs at that very moment.
import * as http from 'node:http';
import * as https from 'node:https';
import * as tls from 'node:tls';
import type { Configuration, KubeConfig, RequestContext, SecurityAuthentication } from '@kubernetes/client-node';
import { ServerConfiguration, createConfiguration } from './client-node.js';

/**
 * Sockets per API server: more than remediation ever has in flight (128 pods + 16 Events + a few), so
 * requests never wait for a socket. A request waiting for a pooled socket makes node-fetch 2 (under
 * client-node) report a false "Premature close" for the chunked response that socket just finished
 * (node-fetch/node-fetch#1767); idle sockets stay pooled, so this bounds connections, not memory in use.
 */
export const DEFAULT_MAX_SOCKETS = 256;

/** The agent options that decide whom we trust and who we are; a change means a new pool. */
const MATERIAL_KEYS = ['ca', 'cert', 'key', 'pfx', 'passphrase', 'servername', 'rejectUnauthorized'] as const;

type Material = readonly unknown[];

function materialOf(options: Readonly<Record<string, unknown>>): Material {
  return MATERIAL_KEYS.map((k) => options[k]);
}

function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Buffer.isBuffer(a) && Buffer.isBuffer(b)) return a.equals(b);
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => sameValue(x, b[i]));
  return false;
}

function sameMaterial(a: Material, b: Material): boolean {
  return a.length === b.length && a.every((x, i) => sameValue(x, b[i]));
}

/**
 * One TLS context (parsed key, certificate and CA) for every connection of the pool. Without it each
 * new connection parses them again into a context of its own, which costs CPU at connect and memory
 * for as long as the connection stays open (the pool keeps dozens open).
 */
function secureContextOf(options: Readonly<Record<string, unknown>>): tls.SecureContext {
  const pick = <K extends keyof tls.SecureContextOptions>(key: K) => options[key] as tls.SecureContextOptions[K];
  return tls.createSecureContext({
    ca: pick('ca'),
    cert: pick('cert'),
    key: pick('key'),
    pfx: pick('pfx'),
    passphrase: pick('passphrase'),
    ciphers: pick('ciphers'),
    ecdhCurve: pick('ecdhCurve'),
    crl: pick('crl'),
    dhparam: pick('dhparam'),
    secureOptions: pick('secureOptions'),
    secureProtocol: pick('secureProtocol'),
    sessionIdContext: pick('sessionIdContext'),
  });
}

/** Lets requests in flight finish, then closes each socket instead of pooling it. */
function retire(agent: http.Agent): void {
  for (const sockets of Object.values(agent.freeSockets)) for (const s of sockets ?? []) s.destroy();
  agent.on('free', (socket: { destroy(): void }) => socket.destroy());
}

/** Holds the shared agent of one KubeConfig. */
export class SharedAgent {
  private agent: http.Agent | null = null;
  private material: Material = [];
  private kind: 'http' | 'https' | null = null;

  constructor(private readonly maxSockets: number) {}

  /** Replaces the context's freshly made agent by the shared one. */
  adopt(context: RequestContext): void {
    const shared = this.replace(context.getAgent());
    if (shared !== null) context.setAgent(shared);
  }

  /** The shared agent standing in for `fresh` (made by the KubeConfig), or null for a proxy agent. */
  replace(fresh: unknown): http.Agent | null {
    let kind: 'http' | 'https';
    if (fresh instanceof https.Agent) kind = 'https';
    else if (fresh !== undefined && fresh !== null && Object.getPrototypeOf(fresh) === http.Agent.prototype) kind = 'http';
    else return null;
    const options = (fresh as http.Agent & { options: Record<string, unknown> }).options;
    const material = materialOf(options);
    if (this.agent === null || this.kind !== kind || !sameMaterial(material, this.material)) {
      if (this.agent !== null) retire(this.agent);
      const shared = { ...options, keepAlive: true, maxSockets: this.maxSockets };
      this.agent = kind === 'https' ? new https.Agent({ ...shared, secureContext: secureContextOf(options) }) : new http.Agent(shared);
      this.material = material;
      this.kind = kind;
    }
    return this.agent;
  }

  /** The agent requests currently go through (null before the first request). */
  current(): http.Agent | null {
    return this.agent;
  }

  /** Closes every pooled socket; later requests open new ones. */
  destroy(): void {
    this.agent?.destroy();
    this.agent = null;
  }
}

/** Authentication that lets the KubeConfig do its work, then swaps in the shared agent. */
class SharedAgentAuth implements SecurityAuthentication {
  constructor(
    private readonly kc: KubeConfig,
    private readonly shared: SharedAgent,
  ) {}

  getName(): string {
    return 'lastgasp-shared-agent';
  }

  async applySecurityAuthentication(context: RequestContext): Promise<void> {
    await this.kc.applySecurityAuthentication(context);
    this.shared.adopt(context);
  }
}

/** A non-2xx answer to `request`; `code` and `body` as on client-node's ApiException (api-errors.ts). */
export class KubeApiError extends Error {
  constructor(
    readonly code: number,
    readonly body: string,
    what: string,
  ) {
    super(`${what}: HTTP ${code}\n${body.slice(0, 500)}`);
    this.name = 'KubeApiError';
  }
}

export interface KubeRequest {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  /** Absolute path on the API server, already encoded, e.g. `/api/v1/namespaces/ns/pods/p/status`. */
  path: string;
  body?: unknown;
  /** Default `application/json`; patches name their kind, e.g. `application/strategic-merge-patch+json`. */
  contentType?: string;
}

export interface KubeTransport {
  readonly agent: SharedAgent;
  readonly configuration: Configuration;
  /** One request through the shared pool; resolves with the parsed JSON answer, rejects with KubeApiError. */
  request(req: KubeRequest): Promise<unknown>;
}

function send(url: URL, options: https.RequestOptions, payload: string | null, what: string): Promise<unknown> {
  const transport = url.protocol === 'http:' ? http : https;
  return new Promise((resolve, reject) => {
    const r = transport.request(url, options, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        const status = res.statusCode ?? 0;
        if (status < 200 || status >= 300) {
          reject(new KubeApiError(status, text, what));
          return;
        }
        try {
          resolve(text === '' ? null : (JSON.parse(text) as unknown));
        } catch (err) {
          reject(err instanceof Error ? err : new Error(String(err)));
        }
      });
    });
    r.on('error', reject);
    r.end(payload ?? undefined);
  });
}

async function request(kc: KubeConfig, server: string, shared: SharedAgent, req: KubeRequest): Promise<unknown> {
  // The KubeConfig fills in TLS material, credentials (refreshed as it does for the generated client)
  // and a fresh agent, which the shared one replaces.
  const options: https.RequestOptions = { headers: {} };
  await kc.applyToHTTPSOptions(options);
  options.agent = shared.replace(options.agent) ?? options.agent;
  const payload = req.body === undefined ? null : JSON.stringify(req.body);
  options.method = req.method;
  options.headers = {
    ...options.headers,
    Accept: 'application/json',
    ...(payload === null ? {} : { 'Content-Type': req.contentType ?? 'application/json', 'Content-Length': Buffer.byteLength(payload) }),
  };
  const base = server.endsWith('/') ? server.slice(0, -1) : server;
  return send(new URL(base + req.path), options, payload, `${req.method} ${req.path}`);
}

const transports = new WeakMap<KubeConfig, KubeTransport>();

/** The one transport of `kc` (made on first use). Throws when the kubeconfig names no cluster. */
export function kubeTransport(kc: KubeConfig, maxSockets = DEFAULT_MAX_SOCKETS): KubeTransport {
  const known = transports.get(kc);
  if (known !== undefined) return known;
  const server = kc.getCurrentCluster()?.server;
  if (server === undefined) throw new Error('the kubeconfig names no current cluster');
  const agent = new SharedAgent(maxSockets);
  const configuration = createConfiguration({
    baseServer: new ServerConfiguration(server, {}),
    authMethods: { default: new SharedAgentAuth(kc, agent) },
  });
  const transport: KubeTransport = { agent, configuration, request: (req) => request(kc, server, agent, req) };
  transports.set(kc, transport);
  return transport;
}

/** Like `kc.makeApiClient(Api)`, but every client of one KubeConfig shares one keep-alive pool. */
export function makeSharedApiClient<T>(kc: KubeConfig, Api: new (configuration: Configuration) => T): T {
  return new Api(kubeTransport(kc).configuration);
}
