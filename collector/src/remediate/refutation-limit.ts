// How many Refuted records one Node may get: a flood of forged last gasps from one address must not
// become a flood of NodeIncidents. Each forgery is still probed (a real panic among them must be found),
// but once a node has `maxRecords` refutations within `windowMs`, a further refuted one is only counted
// (metric, log, the Warning Event of the hour) — no record. Pure; the clock is passed in. Bounded: at
// most `maxNodes` nodes remembered, the least recently refuted forgotten first.

export interface RefutationLimitOptions {
  maxRecords: number;
  windowMs: number;
  maxNodes: number;
}

export const DEFAULT_REFUTATION_LIMIT: RefutationLimitOptions = { maxRecords: 3, windowMs: 3_600_000, maxNodes: 10_000 };

export interface RefutationLimit {
  /** Whether a refuted incident of `node` at `now` still gets a record of its own. */
  mayRecord(node: string, now: number): boolean;
  /** A refutation of `node` was recorded at `now`. */
  recorded(node: string, now: number): void;
  /** Nodes remembered (for tests and a gauge). */
  size(): number;
}

export function createRefutationLimit(opts: RefutationLimitOptions = DEFAULT_REFUTATION_LIMIT): RefutationLimit {
  /** node → times of its recorded refutations within the window, oldest first; Map order = least recent first. */
  const times = new Map<string, number[]>();
  const recent = (node: string, now: number): number[] => {
    const list = (times.get(node) ?? []).filter((t) => now - t < opts.windowMs);
    if (list.length === 0) times.delete(node);
    else times.set(node, list);
    return list;
  };
  return {
    mayRecord: (node, now) => recent(node, now).length < opts.maxRecords,
    recorded(node, now) {
      const list = recent(node, now);
      times.delete(node);
      times.set(node, [...list, now].slice(-opts.maxRecords));
      while (times.size > opts.maxNodes) {
        const oldest = times.keys().next();
        if (oldest.done === true) break;
        times.delete(oldest.value);
      }
    },
    size: () => times.size,
  };
}
