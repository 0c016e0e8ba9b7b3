// Owns the remediation work of this replica: one serial queue per Node, leader gating, and the hand-over
// between leaders. Every replica remembers the fatal incidents it saw (for `takeoverWindowMs`); only the
// leader acts. A new leader finishes open records (phase not final, or Held and released) and the
// incidents it saw that nobody recorded. Every replica also starts the proof of death of each fatal
// incident the moment it arrives (prove/death-proofs.ts), so a new leader has a verdict too; a new
// leader rebuilds the storm window from the records, so a takeover does not reset the budget.
import { setMaxListeners } from 'node:events';
import type { Logger } from 'pino';
import {
  FINAL_PHASES,
  annotationsOf,
  capLines,
  phaseOf,
  recordName,
  requestFromRecord,
  type RemediationRequest,
} from '../record/incident-record.js';
import { releaseAnnotation } from '../record/explain.js';
import { createKeyedQueue } from './keyed-queue.js';
import { createPendingIncidents, DEFAULT_PENDING_LIMITS } from './pending-incidents.js';
import { createRefutationLimit } from './refutation-limit.js';
import { NotLeaderError, remediateIncident, type Outcome, type RemediateContext } from './remediate-incident.js';
import { makeRetry } from '../kube/retry.js';
import type { DeathProofs } from '../prove/death-proofs.js';

export interface RemediatorOptions {
  /** Everything but the per-term pieces (retry, assertLeader, logger), which the remediator supplies. */
  context: Omit<RemediateContext, 'retry' | 'assertLeader' | 'logger' | 'signal' | 'proofs' | 'refutations'>;
  /** Proof of death, started on receipt on every replica. */
  proofs: DeathProofs;
  isLeader: () => boolean;
  takeoverWindowMs: number;
  logger: Logger;
  onOutcome?: (req: RemediationRequest, outcome: Outcome) => void;
}

export interface Remediator {
  /** A classified incident resolved to a Node. Fatal incidents are remediated; others recorded. */
  submit(req: RemediationRequest): void;
  /** Newer context lines for an incident already submitted (trailing lines after the panic). */
  updateContext(req: RemediationRequest): void;
  /** A NodeIncident was added or changed (from the record watch). */
  recordChanged(obj: unknown): void;
  /** Called when this replica becomes leader, with the current NodeIncident objects. */
  leadershipGained(records: readonly unknown[]): void;
  leadershipLost(): void;
  /** Incidents remembered but not finished here. */
  pendingCount(): number;
  /** Bytes those incidents hold (their kernel lines); bounded (pending-incidents.ts). */
  pendingBytes(): number;
  stop(): Promise<void>;
}

/**
 * The nodes earlier leaders let through every gate (records Remediating, Remediated, or Failed after
 * starting), with when they started: the storm window a new leader starts from.
 */
export function stormEntries(records: readonly unknown[]): { node: string; at: number }[] {
  const out: { node: string; at: number }[] = [];
  for (const obj of records) {
    const status = (obj as { status?: { phase?: unknown; startedAt?: unknown } } | null)?.status;
    const node = (obj as { spec?: { node?: unknown } } | null)?.spec?.node;
    if (typeof node !== 'string' || typeof status?.startedAt !== 'string') continue;
    if (status.phase !== 'Remediating' && status.phase !== 'Remediated' && status.phase !== 'Failed') continue;
    const at = Date.parse(status.startedAt);
    if (Number.isFinite(at)) out.push({ node, at });
  }
  return out;
}

/** How soon an interrupted remediation is tried again when this replica still leads. */
const RESUME_AFTER_MS = 1000;

export function createRemediator(opts: RemediatorOptions): Remediator {
  const queue = createKeyedQueue();
  const refutations = createRefutationLimit();
  const pending = createPendingIncidents({ ...DEFAULT_PENDING_LIMITS, keepMs: opts.takeoverWindowMs });
  const inflight = new Set<string>();
  const retries = new Set<NodeJS.Timeout>();
  const newTerm = (): AbortController => {
    const c = new AbortController();
    // Every API call of every queued step listens on the term's signal.
    setMaxListeners(0, c.signal);
    return c;
  };
  let term = newTerm();
  let stopped = false;
  const ctx = opts.context;
  const releaseKey = releaseAnnotation(ctx.policy.annotationPrefix);

  const prune = (): void => pending.prune(ctx.now());

  const run = (req: RemediationRequest, released: boolean): void => {
    const name = recordName(req.incidentId, req.node);
    if (stopped || inflight.has(name) || !opts.isLeader()) return;
    inflight.add(name);
    const signal = term.signal;
    const logger = opts.logger.child({ incident: req.incidentId, node: req.node, record: name });
    const runCtx: RemediateContext = {
      ...ctx,
      proofs: opts.proofs,
      refutations,
      logger,
      signal,
      retry: makeRetry({
        signal,
        onRetry: (err, attempt) => logger.warn({ err, attempt }, 'Kubernetes API call failed; retrying'),
      }),
      assertLeader: () => {
        if (signal.aborted || !opts.isLeader()) throw new NotLeaderError();
      },
    };
    void queue
      .push(req.node, () => remediateIncident(req, runCtx, { released }))
      .then(
        (outcome) => {
          pending.delete(name);
          logger.info({ phase: outcome.phase, reason: outcome.reason, podsDeleted: outcome.podsDeleted }, 'incident handled');
          opts.onOutcome?.(req, outcome);
        },
        (err: unknown) => {
          // Left pending: the next term (or the next leader, from the record) finishes it. A leader that
          // only missed a renewal deadline and kept the Lease resumes it itself.
          logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'remediation interrupted');
          const retry = setTimeout(() => {
            retries.delete(retry);
            if (opts.isLeader()) run(req, released);
          }, RESUME_AFTER_MS);
          retries.add(retry);
        },
      )
      .finally(() => inflight.delete(name));
  };

  const isReleased = (obj: unknown): boolean => annotationsOf(obj)[releaseKey] === 'true';

  /** Open: not final, and Held only when released (and not a dry-run hold while still in dry run). */
  const shouldFinish = (obj: unknown): boolean => {
    const phase = phaseOf(obj);
    if (phase === null) return true;
    if (FINAL_PHASES.includes(phase)) return false;
    if (phase !== 'Held') return true;
    return isReleased(obj) && !ctx.policy.dryRun;
  };

  return {
    submit(req) {
      prune();
      if (req.fatal && ctx.policy.proofOfDeath.enabled) {
        opts.proofs.start({ name: recordName(req.incidentId, req.node), node: req.node, source: req.source, detectedAt: req.detectedAt, lines: req.lines });
      }
      pending.set(recordName(req.incidentId, req.node), req, ctx.now());
      run(req, false);
    },
    updateContext(req) {
      const name = recordName(req.incidentId, req.node);
      const p = pending.get(name);
      if (p !== undefined) pending.set(name, { ...p, lines: req.lines }, ctx.now());
      opts.proofs.linesArrived(name, req.lines);
      if (!opts.isLeader() || stopped) return;
      const lines = capLines(req.lines);
      const retry = makeRetry({ signal: term.signal });
      void queue
        .push(req.node, () => retry(() => ctx.api.patchIncidentContext(name, lines)))
        .catch((err: unknown) => opts.logger.warn({ incident: req.incidentId, err }, 'could not update context lines'));
    },
    recordChanged(obj) {
      if (!opts.isLeader() || phaseOf(obj) !== 'Held' || !shouldFinish(obj)) return;
      const req = requestFromRecord(obj);
      if (req !== null) run(req, true);
    },
    leadershipGained(records) {
      prune();
      ctx.storm.restore(stormEntries(records), ctx.now());
      const seen = new Set<string>();
      for (const obj of records) {
        const req = requestFromRecord(obj);
        if (req === null) continue;
        const name = recordName(req.incidentId, req.node);
        seen.add(name);
        if (shouldFinish(obj)) run(req, phaseOf(obj) === 'Held');
      }
      for (const [name, req] of [...pending.entries()]) if (!seen.has(name)) run(req, false);
    },
    leadershipLost() {
      term.abort(new NotLeaderError());
      term = newTerm();
    },
    pendingCount: () => pending.size(),
    pendingBytes: () => pending.bytes(),
    async stop() {
      stopped = true;
      for (const t of retries) clearTimeout(t);
      term.abort(new Error('collector shutting down'));
      await queue.idle();
    },
  };
}
