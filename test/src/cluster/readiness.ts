// Health probes of the control plane's own endpoints (node:http/https; no Kubernetes client involved).
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { readFile } from 'node:fs/promises';

export interface ProbeResult {
  status: number;
  body: string;
}

export interface ClientTls {
  caPath: string;
  certPath: string;
  keyPath: string;
}

/** Per-request timeout, in ms: a probe that hangs must not hold up the poll loop. */
const PROBE_TIMEOUT_MS = 3000;

export async function probe(url: string, tls?: ClientTls): Promise<ProbeResult> {
  const options = tls
    ? { ca: await readFile(tls.caPath), cert: await readFile(tls.certPath), key: await readFile(tls.keyPath) }
    : {};
  const request = url.startsWith('https:') ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request(url, { ...options, method: 'GET', timeout: PROBE_TIMEOUT_MS }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer from ${url} within ${PROBE_TIMEOUT_MS} ms`)));
    req.on('error', reject);
    req.end();
  });
}

/** etcd answers `{"health":"true",...}` on /health once it serves clients. */
export function etcdHealthy(result: ProbeResult): boolean {
  if (result.status !== 200) return false;
  try {
    const parsed: unknown = JSON.parse(result.body);
    return typeof parsed === 'object' && parsed !== null && 'health' in parsed && parsed.health === 'true';
  } catch {
    return false;
  }
}

/** The apiserver's /readyz answers 200 `ok` once every readiness check passes. */
export function apiServerReady(result: ProbeResult): boolean {
  return result.status === 200 && result.body.trim() === 'ok';
}
