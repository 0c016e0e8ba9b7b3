// Source address (+ optional userdata `node=`) → the Node an incident belongs to. Pure; time passed in.
// Safety rule: only a sender whose address belongs to exactly one Node is ever acted on, and when the
// kernel names its node in userdata, that name must be the same Node.
import { normaliseAddress } from '../kube/node-addresses.js';
import type { NodeIndex } from './node-index.js';

export type RejectReason = 'unknown-source' | 'ambiguous-source' | 'node-mismatch';

export type Resolution =
  | { ok: true; node: string }
  | {
      ok: false;
      reason: RejectReason;
      detail: string;
      /** False when the same source was already reported within the log interval. */
      shouldLog: boolean;
    };

export interface NodeResolver {
  resolve(source: string, userdata: Readonly<Record<string, string>>, now: number): Resolution;
}

export interface NodeResolverOptions {
  index: Pick<NodeIndex, 'byAddress'>;
  /** An unknown/ambiguous source is reported at most once per this many ms. */
  logIntervalMs: number;
  /** Bound on remembered sources (oldest forgotten first). */
  maxTrackedSources?: number;
}

export function createNodeResolver(opts: NodeResolverOptions): NodeResolver {
  const lastLogged = new Map<string, number>();
  const maxTracked = opts.maxTrackedSources ?? 10_000;

  const shouldLog = (key: string, now: number): boolean => {
    const last = lastLogged.get(key);
    if (last !== undefined && now - last < opts.logIntervalMs) return false;
    lastLogged.delete(key);
    lastLogged.set(key, now);
    if (lastLogged.size > maxTracked) {
      const oldest = lastLogged.keys().next();
      if (oldest.done !== true) lastLogged.delete(oldest.value);
    }
    return true;
  };

  return {
    resolve(source, userdata, now) {
      const address = normaliseAddress(source) ?? source;
      const names = opts.index.byAddress(address);
      const claimed = userdata.node;
      if (names.length === 0) {
        return { ok: false, reason: 'unknown-source', detail: `no Node has address ${address}`, shouldLog: shouldLog(`u:${address}`, now) };
      }
      if (names.length > 1) {
        return {
          ok: false,
          reason: 'ambiguous-source',
          detail: `address ${address} belongs to several Nodes: ${names.join(', ')}`,
          shouldLog: shouldLog(`a:${address}`, now),
        };
      }
      const node = names[0] ?? '';
      if (claimed !== undefined && claimed !== node) {
        return {
          ok: false,
          reason: 'node-mismatch',
          detail: `userdata names node "${claimed}" but ${address} belongs to Node ${node}`,
          shouldLog: true,
        };
      }
      return { ok: true, node };
    },
  };
}
