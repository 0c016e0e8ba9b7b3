// Storm limits: how many nodes may be remediated within a sliding window. Pure; time passed in.
// A correlated failure (a bad kernel rollout, a power event) or a forged flood must not empty the
// cluster: beyond the limits incidents are Held for an operator.
import type { StormLimits } from '../config/config.js';

export type Admission = { admitted: true } | { admitted: false; reason: string };

export interface ClusterView {
  readyCount(): number;
  isReady(node: string): boolean;
}

export interface StormGuard {
  /** Decides and, when admitted, counts the node. Re-admitting a node already counted is free. */
  admit(node: string, now: number, cluster: ClusterView): Admission;
  /** Nodes admitted within the window ending at `now`. */
  admittedInWindow(now: number): number;
  /**
   * Counts nodes admitted earlier (by a previous leader), e.g. from the NodeIncident records that passed
   * every gate; entries outside the window or already counted are ignored.
   */
  restore(entries: readonly { node: string; at: number }[], now: number): void;
}

export function createStormGuard(limits: StormLimits): StormGuard {
  const windowMs = limits.windowSeconds * 1000;
  let admitted: { node: string; at: number }[] = [];
  const prune = (now: number): void => {
    admitted = admitted.filter((a) => now - a.at < windowMs);
  };
  return {
    admit(node, now, cluster) {
      prune(now);
      if (admitted.some((a) => a.node === node)) return { admitted: true };
      if (admitted.length >= limits.maxNodesPerWindow) {
        return {
          admitted: false,
          reason: `${admitted.length} node(s) already remediated in the last ${limits.windowSeconds}s (limit ${limits.maxNodesPerWindow})`,
        };
      }
      // Nodes we already removed are no longer Ready; count them so the base does not shrink as we act.
      const gone = admitted.filter((a) => !cluster.isReady(a.node)).length;
      const base = cluster.readyCount() + gone;
      const byPercent = Math.max(1, Math.floor((limits.maxPercentOfReadyNodes / 100) * base));
      if (admitted.length >= byPercent) {
        return {
          admitted: false,
          reason:
            `${admitted.length} of ${base} Ready node(s) already remediated in the last ${limits.windowSeconds}s ` +
            `(limit ${limits.maxPercentOfReadyNodes}%, i.e. ${byPercent})`,
        };
      }
      admitted.push({ node, at: now });
      return { admitted: true };
    },
    admittedInWindow(now) {
      prune(now);
      return admitted.length;
    },
    restore(entries, now) {
      prune(now);
      for (const e of entries) {
        if (now - e.at >= windowMs || admitted.some((a) => a.node === e.node)) continue;
        admitted.push({ node: e.node, at: e.at });
      }
      admitted.sort((x, y) => x.at - y.at);
    },
  };
}
