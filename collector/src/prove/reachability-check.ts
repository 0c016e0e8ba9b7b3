// Is the proof-of-death probe worth anything for a Node? Silence proves death only if a live node would
// have answered: a firewall that drops SYNs to the probe port, or a collector without a route to the
// nodes, makes every live node look dead. So the collector keeps checking Ready nodes with the same
// probe and remembers, per node, its latest few checks (when sent, answered or failed) and its latest
// answer. Pure: the caller passes the time in, runs the checks this plans, and records their results.
//
// Scheduling: every Ready node is due `recheckMs` after its last check (`failedRecheckMs` after a failed
// one, so a node recovers provability soon); never-checked nodes go first, then the longest unchecked.
// A token bucket bounds the rate (`maxChecksPerSecond`, at most `maxBatch` at once). When the cluster is
// too large for the rate, checks fall behind and `summary().overdue` says so.
//
// Provability: a node can be proven dead by the probe when its latest check sent before the incident
// answered, no more than `answerMaxAgeMs` before it. Checks sent at or after the incident do not count
// against it: after a real panic they are expected to fail. A node never answered cannot be proven dead by
// the probe; the caller then falls back to confirm mode (Kubernetes' own view).
// Times are ms since the epoch; durations are ms.

export interface ReachabilityOptions {
  /** Each Ready node is checked at least this often (default 10 min). */
  recheckMs: number;
  /** A node whose last check failed is checked again after this (default 1 min). */
  failedRecheckMs: number;
  /** Average checks per second over all nodes. */
  maxChecksPerSecond: number;
  /** Checks started by one plan() at most (the token bucket's depth). */
  maxBatch: number;
  /** An answer older than this (at the incident) no longer makes a node provable (default 2 × recheckMs). */
  answerMaxAgeMs: number;
  /** A planned check not recorded within this is given up and planned again. */
  inFlightTimeoutMs: number;
}

export const REACHABILITY_DEFAULTS: ReachabilityOptions = {
  recheckMs: 10 * 60_000,
  failedRecheckMs: 60_000,
  maxChecksPerSecond: 5,
  maxBatch: 5,
  answerMaxAgeMs: 20 * 60_000,
  inFlightTimeoutMs: 30_000,
};

export interface CheckResult {
  answered: boolean;
  /** When the check's first SYN went out. */
  sentAt: number;
  /** For a failed check: what happened (the probe's summary). */
  detail?: string;
}

export interface Provability {
  provable: boolean;
  /** Why (not), for records and Events. */
  reason: string;
}

export interface ReachabilitySummary {
  /** Ready nodes as of the last plan(). */
  ready: number;
  /** Ready nodes checked at least once. */
  checked: number;
  /** Ready nodes whose latest check answered. */
  answering: number;
  /** Ready nodes whose latest check failed. */
  silent: number;
  /** Ready nodes due for longer than recheckMs / 10 (the rate cannot keep up, or the loop stalled). */
  overdue: number;
  /** Up to 20 silent Ready nodes, sorted, for status and logs. */
  silentNodes: string[];
  /** The most recent recorded check, or null. */
  lastCheckAt: number | null;
}

export interface ReachabilityCheck {
  /** The nodes to check now, given the Ready nodes. Marks them in flight until recorded. */
  plan(readyNodes: readonly string[], now: number): string[];
  /** Records a check's result. */
  record(node: string, result: CheckResult): void;
  /** Whether, and why (not), the probe can prove `node` dead for an incident at `incidentAt`. */
  provability(node: string, incidentAt: number): Provability;
  /** provability(node, incidentAt).provable */
  canProve(node: string, incidentAt: number): boolean;
  summary(now: number): ReachabilitySummary;
  /** Drops a deleted Node's state. */
  forget(node: string): void;
}

interface NodeState {
  /** The latest checks, oldest first, by `sentAt`; at most CHECKS_KEPT. */
  checks: CheckResult[];
  /** The latest answered check ever, also when it left `checks`. */
  lastAnsweredAt: number | null;
  plannedAt: number | null;
  /** When the node was first seen (Ready, or in a record): the base for "due" before any check. */
  seenAt: number;
}

/** Checks kept per node: enough that the few failing checks right after an incident never hide the one before. */
const CHECKS_KEPT = 4;
const SILENT_NAMES_MAX = 20;

function lastCheck(s: NodeState): CheckResult | undefined {
  return s.checks[s.checks.length - 1];
}

function latestFailed(s: NodeState): boolean {
  return lastCheck(s)?.answered === false;
}

function newState(seenAt: number): NodeState {
  return { checks: [], lastAnsweredAt: null, plannedAt: null, seenAt };
}

export function createReachabilityCheck(overrides: Partial<ReachabilityOptions> = {}): ReachabilityCheck {
  const o: ReachabilityOptions = { ...REACHABILITY_DEFAULTS, ...overrides };
  if (!(o.maxChecksPerSecond > 0) || !(o.maxBatch >= 1)) throw new RangeError('maxChecksPerSecond must be > 0 and maxBatch ≥ 1');
  const nodes = new Map<string, NodeState>();
  let ready: string[] = [];
  let tokens = o.maxBatch;
  let refilledAt: number | null = null;

  const overdueGraceMs = o.recheckMs / 10;
  const dueAt = (s: NodeState): number => {
    const last = lastCheck(s);
    if (last === undefined) return s.seenAt;
    return last.sentAt + (last.answered ? o.recheckMs : o.failedRecheckMs);
  };
  const lastActivity = (s: NodeState): number => Math.max(s.seenAt, lastCheck(s)?.sentAt ?? -Infinity, s.plannedAt ?? -Infinity);

  const refill = (now: number): void => {
    if (refilledAt !== null && now > refilledAt) tokens = Math.min(o.maxBatch, tokens + ((now - refilledAt) * o.maxChecksPerSecond) / 1000);
    refilledAt = refilledAt === null ? now : Math.max(refilledAt, now);
  };

  const prune = (readySet: ReadonlySet<string>, now: number): void => {
    for (const [name, s] of nodes) {
      if (!readySet.has(name) && now - lastActivity(s) > o.answerMaxAgeMs) nodes.delete(name);
    }
  };

  const provability = (node: string, incidentAt: number): Provability => {
    const s = nodes.get(node);
    if (s === undefined || s.lastAnsweredAt === null) {
      return { provable: false, reason: `${node} never answered a reachability check, so its silence would prove nothing` };
    }
    const latest = s.checks.filter((c) => c.sentAt < incidentAt).pop();
    if (latest === undefined) return { provable: false, reason: `no reachability check of ${node} before the incident is on record` };
    const ago = Math.max(0, Math.round((incidentAt - latest.sentAt) / 1000));
    if (!latest.answered) {
      return { provable: false, reason: `the last reachability check of ${node}, ${ago}s before the incident, failed: ${latest.detail ?? 'no answer'}` };
    }
    if (incidentAt - latest.sentAt > o.answerMaxAgeMs) {
      return { provable: false, reason: `${node} last answered a reachability check ${ago}s before the incident, too long ago` };
    }
    return { provable: true, reason: `${node} answered a reachability check ${ago}s before the incident` };
  };

  return {
    plan(readyNodes, now) {
      ready = [...new Set(readyNodes)];
      const readySet = new Set(ready);
      prune(readySet, now);
      refill(now);
      const due: [name: string, at: number, never: boolean][] = [];
      for (const name of ready) {
        let s = nodes.get(name);
        if (s === undefined) {
          s = newState(now);
          nodes.set(name, s);
        }
        if (s.plannedAt !== null && now - s.plannedAt < o.inFlightTimeoutMs) continue;
        s.plannedAt = null;
        const at = dueAt(s);
        if (at <= now) due.push([name, at, s.checks.length === 0]);
      }
      due.sort((a, b) => Number(b[2]) - Number(a[2]) || a[1] - b[1] || (a[0] < b[0] ? -1 : 1));
      const take = Math.min(Math.floor(tokens), due.length);
      tokens -= take;
      const picked = due.slice(0, take).map(([name]) => name);
      for (const name of picked) {
        const s = nodes.get(name);
        if (s !== undefined) s.plannedAt = now;
      }
      return picked;
    },

    record(node, result) {
      const s = nodes.get(node) ?? newState(result.sentAt);
      nodes.set(node, s);
      s.plannedAt = null;
      const entry: CheckResult = { answered: result.answered, sentAt: result.sentAt };
      if (!result.answered) entry.detail = result.detail ?? 'no answer';
      s.checks.push(entry);
      s.checks.sort((a, b) => a.sentAt - b.sentAt);
      if (s.checks.length > CHECKS_KEPT) s.checks.splice(0, s.checks.length - CHECKS_KEPT);
      if (result.answered && (s.lastAnsweredAt === null || result.sentAt > s.lastAnsweredAt)) s.lastAnsweredAt = result.sentAt;
    },

    provability,

    canProve: (node, incidentAt) => provability(node, incidentAt).provable,

    summary(now) {
      let checked = 0;
      let answering = 0;
      let overdue = 0;
      const silentNodes: string[] = [];
      let lastCheckAt: number | null = null;
      for (const s of nodes.values()) {
        const at = lastCheck(s)?.sentAt;
        if (at !== undefined && (lastCheckAt === null || at > lastCheckAt)) lastCheckAt = at;
      }
      for (const name of ready) {
        const s = nodes.get(name);
        if (s === undefined) continue;
        if (now - dueAt(s) > overdueGraceMs) overdue++;
        if (s.checks.length === 0) continue;
        checked++;
        if (latestFailed(s)) silentNodes.push(name);
        else answering++;
      }
      silentNodes.sort();
      return { ready: ready.length, checked, answering, silent: silentNodes.length, overdue, silentNodes: silentNodes.slice(0, SILENT_NAMES_MAX), lastCheckAt };
    },

    forget(node) {
      nodes.delete(node);
    },
  };
}
