// The few Kubernetes calls the agent makes, over node:https: JSON requests, and watch streams (one
// JSON event per line). Failures are KubeApiError with the HTTP status in `code` (404/409/410 are
// what callers branch on), like client-node's ApiException.
import { Agent, request, type RequestOptions } from 'node:https';
import { createInterface } from 'node:readline';
import type { KubeTarget } from './kube-config.js';

export class KubeApiError extends Error {
  constructor(
    readonly code: number,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'KubeApiError';
  }
}

export interface WatchEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  object: Record<string, unknown>;
}

export interface WatchHandle {
  abort(): void;
}

export interface KubeClient {
  request<T>(method: 'GET' | 'PATCH' | 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown, contentType?: string): Promise<T>;
  /** Streams events until the server ends the watch or `abort()`; `done` gets the error, if any. */
  watch(path: string, onEvent: (event: WatchEvent) => void, done: (err: Error | null) => void): WatchHandle;
}

export function createKubeClient(target: KubeTarget, timeoutMs = 30_000): KubeClient {
  const agent = new Agent({
    keepAlive: true,
    ca: target.ca,
    cert: target.cert,
    key: target.key,
    rejectUnauthorized: !target.insecureSkipTlsVerify,
  });
  const options = (method: string, path: string, contentType?: string): RequestOptions & { href: string } => {
    const token = target.token();
    const url = new URL(target.server + path);
    return {
      href: url.href,
      method,
      agent,
      host: url.hostname.replace(/^\[|\]$/g, ''),
      port: url.port,
      path: url.pathname + url.search,
      headers: {
        accept: 'application/json',
        ...(contentType === undefined ? {} : { 'content-type': contentType }),
        ...(token === null ? {} : { authorization: `Bearer ${token}` }),
      },
    };
  };
  return {
    request<T>(method: string, path: string, body?: unknown, contentType = 'application/json') {
      return new Promise<T>((resolve, reject) => {
        const req = request(options(method, path, body === undefined ? undefined : contentType), (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', reject);
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            const status = res.statusCode ?? 0;
            if (status < 200 || status >= 300) {
              reject(new KubeApiError(status, `${method} ${path}: HTTP ${status}: ${text.slice(0, 500)}`));
              return;
            }
            try {
              resolve((text === '' ? {} : JSON.parse(text)) as T);
            } catch (err) {
              reject(new KubeApiError(status, `${method} ${path}: unreadable response`, { cause: err }));
            }
          });
        });
        req.setTimeout(timeoutMs, () => req.destroy(new Error(`${method} ${path}: no answer in ${timeoutMs} ms`)));
        req.on('error', reject);
        req.end(body === undefined ? undefined : JSON.stringify(body));
      });
    },
    watch(path, onEvent, done) {
      let finished = false;
      const finish = (err: Error | null) => {
        if (finished) return;
        finished = true;
        done(err);
      };
      const req = request(options('GET', path), (res) => {
        // Destroying the request on abort() makes the response emit 'aborted'/'error' later.
        res.on('error', (err) => finish(err));
        const status = res.statusCode ?? 0;
        if (status !== 200) {
          res.resume();
          finish(new KubeApiError(status, `watch ${path}: HTTP ${status}`));
          return;
        }
        const lines = createInterface({ input: res });
        // readline re-emits input errors; the response's own handler above reports them.
        lines.on('error', () => undefined);
        lines.on('line', (line) => {
          if (line.trim() === '') return;
          try {
            onEvent(JSON.parse(line) as WatchEvent);
          } catch {
            // A line that is not JSON is dropped; the next relist corrects any drift.
          }
        });
        res.on('close', () => finish(null));
      });
      req.on('error', (err) => finish(err));
      req.end();
      return {
        abort() {
          finished = true;
          req.destroy();
        },
      };
    },
  };
}
