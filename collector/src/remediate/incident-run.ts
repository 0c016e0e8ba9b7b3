// One run of the steps for one incident: the record's name, the context, and how every step is reported
// to `ctx.progress` (pending when it starts, then ok, failed, or left pending as interrupted) so the
// status API shows each step as it happens (remediation-progress.ts, record/remediation-steps.ts). Also
// the two writes most steps share: moving the record to a phase, and holding the incident.
import type { Logger } from 'pino';
import { recordName, type NodeIncidentStatus, type Phase, type RecordedProof, type RemediationRequest } from '../record/incident-record.js';
import type { StepReport } from '../record/remediation-steps.js';
import { describeError, isRetryable } from '../kube/api-errors.js';
import type { EventSpec } from './cluster-api.js';
import { nodeEvent, refutedEvent } from './incident-events.js';
import { NotLeaderError, type Outcome, type RemediateContext } from './remediate-context.js';

/** Why a step stopped: interrupted (left for this replica's next term or the next leader) or failed. */
export function stepError(err: unknown, signal: AbortSignal): { interrupted: boolean; message: string } {
  if (err instanceof NotLeaderError || signal.aborted || isRetryable(err)) {
    return { interrupted: true, message: `interrupted (${describeError(err)}); to be finished` };
  }
  return { interrupted: false, message: describeError(err) };
}

export class IncidentRun {
  /** The NodeIncident's name. */
  readonly name: string;
  readonly log: Logger;
  /** The proof-of-death verdict an earlier run wrote on the record (set once the record is read). */
  recordedProof: RecordedProof | null = null;

  constructor(
    readonly req: RemediationRequest,
    readonly ctx: RemediateContext,
  ) {
    this.name = recordName(req.incidentId, req.node);
    this.log = ctx.logger;
  }

  iso(): string {
    return new Date(this.ctx.now()).toISOString();
  }

  report(step: StepReport): void {
    this.ctx.progress.step(this.req.incidentId, step);
  }

  phase(phase: Phase, reason: string | null = null): void {
    this.ctx.progress.phase(this.req.incidentId, phase, reason);
  }

  /** Runs one step, reported pending, then ok with `describe(result)` (or failed / interrupted). */
  async step<T>(name: string, op: () => Promise<T>, describe: (result: T) => string): Promise<T> {
    const startedAt = this.ctx.now();
    this.report({ name, outcome: 'pending', startedAt, finishedAt: null, message: '' });
    try {
      const result = await op();
      this.report({ name, outcome: 'ok', startedAt, finishedAt: this.ctx.now(), message: describe(result) });
      return result;
    } catch (err) {
      const e = stepError(err, this.ctx.signal);
      this.report({ name, outcome: e.interrupted ? 'pending' : 'failed', startedAt, finishedAt: e.interrupted ? null : this.ctx.now(), message: e.message });
      throw err;
    }
  }

  /**
   * Moves the record to `phase`: a step of its own (`phase-held`, ...) whose message is the reason and
   * detail the record carries, then reported as the phase.
   */
  async status(phase: Phase, extra: NodeIncidentStatus = {}): Promise<void> {
    const detail = [extra.reason, extra.message].filter((x) => x !== undefined && x !== '').join(': ');
    await this.step(
      `phase-${phase.toLowerCase()}`,
      () => this.ctx.retry(() => this.ctx.api.patchIncidentStatus(this.name, { phase, lastTransitionTime: this.iso(), ...extra })),
      () => (detail === '' ? `NodeIncident ${this.name} is ${phase}` : detail),
    );
    this.phase(phase, extra.reason ?? null);
  }

  /** Creates one Event (retried; a repeat is a 409, which counts as done). */
  createEvent(event: EventSpec): Promise<void> {
    return this.ctx.retry(() => this.ctx.api.createEvent(event));
  }

  /**
   * Ends the run Held for an operator: a Warning Event on the Node saying why, then the record Held with
   * `reason` (a stable code: Excluded, StormLimit, NotConfirmed, DryRun) and `message`.
   */
  async hold(reason: string, message: string, extra: NodeIncidentStatus = {}): Promise<Outcome> {
    this.log.warn({ reason, detail: message }, 'incident held');
    await this.step(
      'node-event',
      () => this.createEvent(nodeEvent(this.req, this.name, 'Hold', `Remediation held (${reason}): ${message}`)),
      () => `Warning Event, reason ${this.req.kind}: remediation held (${reason})`,
    );
    await this.status('Held', { reason, message, ...extra });
    this.ctx.observer.held(reason);
    return { name: this.name, phase: 'Held', reason, podsDeleted: 0 };
  }

  /**
   * Ends the run Refuted: the node answered after its reported panic, so nothing is destroyed. A Warning
   * Event on the Node says a forged last gasp is possible (one per node and hour: repeats add nothing),
   * then the record turns Refuted (final) with `reason` and the probe's `message`.
   */
  async refute(reason: string, message: string): Promise<Outcome> {
    this.log.warn({ reason, detail: message }, 'incident refuted: the node answered after its reported panic');
    await this.step(
      'node-event',
      () => this.createEvent(refutedEvent(this.req, this.ctx.now(), message)),
      () => `Warning Event on the Node: possible forged last gasp`,
    );
    await this.status('Refuted', { reason, message });
    this.ctx.refutations.recorded(this.req.node, this.ctx.now());
    this.ctx.observer.refuted(this.req.node);
    return { name: this.name, phase: 'Refuted', reason, podsDeleted: 0 };
  }
}
