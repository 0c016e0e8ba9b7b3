// Server-side request latency from kube-apiserver's own /metrics
// (`apiserver_request_duration_seconds`, by verb, resource and subresource). The difference of two
// scrapes says how many calls of each kind a repetition made and how long the server took for them,
// which separates API latency from time spent in the collector or waiting between calls.
import { request } from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';

export interface CallStats {
  count: number;
  /** Seconds, summed over the calls. */
  sumSeconds: number;
}

/** Key: `VERB resource[/subresource]`. */
export type RequestTotals = Map<string, CallStats>;

const SERIES = /^apiserver_request_duration_seconds_(sum|count)\{([^}]*)\} (\S+)$/;

function label(labels: string, name: string): string {
  return new RegExp(`(?:^|,)${name}="([^"]*)"`).exec(labels)?.[1] ?? '';
}

/** Parses the exposition text; series of watches and of other components are summed by call kind. */
export function parseRequestTotals(text: string): RequestTotals {
  const totals: RequestTotals = new Map();
  for (const line of text.split('\n')) {
    const m = SERIES.exec(line);
    if (m === null) continue;
    const [, kind = '', labels = '', value = ''] = m;
    const verb = label(labels, 'verb');
    if (verb === 'WATCH' || verb === 'CONNECT') continue;
    const sub = label(labels, 'subresource');
    const key = `${verb} ${label(labels, 'resource')}${sub === '' ? '' : `/${sub}`}`;
    const entry = totals.get(key) ?? { count: 0, sumSeconds: 0 };
    if (kind === 'sum') entry.sumSeconds += Number(value);
    else entry.count += Number(value);
    totals.set(key, entry);
  }
  return totals;
}

export function subtractTotals(after: RequestTotals, before: RequestTotals): RequestTotals {
  const out: RequestTotals = new Map();
  for (const [key, a] of after) {
    const b = before.get(key) ?? { count: 0, sumSeconds: 0 };
    const count = a.count - b.count;
    if (count > 0) out.set(key, { count, sumSeconds: a.sumSeconds - b.sumSeconds });
  }
  return out;
}

export function addTotals(into: RequestTotals, more: RequestTotals): void {
  for (const [key, m] of more) {
    const e = into.get(key) ?? { count: 0, sumSeconds: 0 };
    into.set(key, { count: e.count + m.count, sumSeconds: e.sumSeconds + m.sumSeconds });
  }
}

/** Rows `count  mean ms  call`, most total time first, for the calls in `keys` (all when omitted). */
export function formatTotals(totals: RequestTotals, filter: (key: string) => boolean = () => true): string[] {
  return [...totals]
    .filter(([key]) => filter(key))
    .sort((a, b) => b[1].sumSeconds - a[1].sumSeconds)
    .map(([key, s]) => `${String(s.count).padStart(7)} calls  mean ${((s.sumSeconds / s.count) * 1000).toFixed(1).padStart(7)} ms  ${key}`);
}

export async function scrapeApiServer(kc: KubeConfig): Promise<RequestTotals> {
  const server = kc.getCurrentCluster()?.server;
  if (server === undefined) throw new Error('the kubeconfig names no cluster');
  const url = new URL('/metrics', server);
  const options: Parameters<typeof request>[1] = { method: 'GET' };
  await kc.applyToHTTPSOptions(options);
  const text = await new Promise<string>((resolve, reject) => {
    const req = request(url, options, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => (res.statusCode === 200 ? resolve(body) : reject(new Error(`GET ${url.href}: HTTP ${res.statusCode}`))));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
  return parseRequestTotals(text);
}
