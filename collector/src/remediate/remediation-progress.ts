// Steps over many pods reported as one step per kind, with counts, so an incident on a full node stays
// a handful of lines and a handful of watch events. The step vocabulary is record/remediation-steps.ts.
import type { StepReport } from '../record/remediation-steps.js';

/** How one per-pod step reads once finished: `done` pods handled, `gone` already gone, of `total`. */
export type DescribePodStep = (counts: { done: number; gone: number; total: number }) => string;

/**
 * One step applied to every pod of the node, concurrently: pending at the first pod, finished once
 * `finish` is called (after every pod), with the time of the last pod that went through it.
 */
export class PodStepGroup {
  #startedAt: number | null = null;
  #finishedAt: number | null = null;
  #done = 0;
  #gone = 0;

  constructor(
    readonly name: string,
    private readonly total: number,
    private readonly describe: DescribePodStep,
    private readonly report: (step: StepReport) => void,
    private readonly now: () => number,
  ) {}

  begin(): void {
    if (this.#startedAt !== null) return;
    this.#startedAt = this.now();
    this.report({ name: this.name, outcome: 'pending', startedAt: this.#startedAt, finishedAt: null, message: `0 of ${this.total} pod(s)` });
  }

  /** One pod through this step: `done`, or `gone` when it had already disappeared. */
  end(result: 'done' | 'gone'): void {
    if (result === 'done') this.#done++;
    else this.#gone++;
    this.#finishedAt = this.now();
  }

  get started(): boolean {
    return this.#startedAt !== null;
  }

  /** Reports the final state; `error` (null when all went well) marks it failed or interrupted. */
  finish(error: { interrupted: boolean; message: string } | null): void {
    if (this.#startedAt === null) return;
    const counts = { done: this.#done, gone: this.#gone, total: this.total };
    if (error === null) {
      this.report({ name: this.name, outcome: 'ok', startedAt: this.#startedAt, finishedAt: this.#finishedAt ?? this.now(), message: this.describe(counts) });
      return;
    }
    this.report({
      name: this.name,
      outcome: error.interrupted ? 'pending' : 'failed',
      startedAt: this.#startedAt,
      finishedAt: error.interrupted ? null : this.now(),
      message: `${this.describe(counts)}; ${error.message}`,
    });
  }
}

/** ", 2 already gone" or "". */
export function goneSuffix(gone: number): string {
  return gone === 0 ? '' : `, ${gone} already gone`;
}
