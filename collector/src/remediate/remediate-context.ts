// What one remediation needs from outside and what it hands back. The remediator (remediator.ts) builds a
// context per leadership term: `retry`, `assertLeader` and `signal` belong to that term, so a run that
// outlives its term stops at its next step and leaves the rest to the next leader.
import type { Logger } from 'pino';
import type { RemediationPolicy } from '../config/config.js';
import type { LabelSelector } from '../config/label-selector.js';
import type { Phase } from '../record/incident-record.js';
import type { RemediationProgress } from '../record/remediation-steps.js';
import type { Retry } from '../kube/retry.js';
import type { DeathProofs } from '../prove/death-proofs.js';
import type { ClusterApi } from './cluster-api.js';
import type { RefutationLimit } from './refutation-limit.js';
import type { ClusterView, StormGuard } from './storm-guard.js';

/** Thrown by `assertLeader` (and the abort reason of the term's signal) once this replica may no longer act. */
export class NotLeaderError extends Error {
  readonly code = 'ERR_LASTGASP_NOT_LEADER';
  constructor() {
    super('leadership lost; remediation left to the next leader');
    this.name = 'NotLeaderError';
  }
}

/** Counts what remediation did, for /metrics and the status API. */
export interface RemediationObserver {
  podDeleted(): void;
  nodeRemediated(action: string): void;
  held(reason: string): void;
  /** A proof-of-death verdict was reached (or read from the record) for an incident. */
  proved(verdict: 'alive' | 'dead' | 'inconclusive'): void;
  /** An incident ended Refuted: the node answered after its reported panic. */
  refuted(node: string): void;
  /** A refuted incident got no record: its node had too many refutations recorded lately. */
  refutedUnrecorded(node: string): void;
  completed(phase: Phase, latencyMs: number): void;
}

export interface RemediateContext {
  api: ClusterApi;
  retry: Retry;
  policy: RemediationPolicy;
  exclude: LabelSelector;
  storm: StormGuard;
  cluster: ClusterView & { labelsOf(node: string): Readonly<Record<string, string>> | null };
  /** This replica's proof-of-death probes, started when each incident arrived. */
  proofs: Pick<DeathProofs, 'verdictOf'>;
  /** How many Refuted records one node may get (a flood of forgeries is counted, not recorded). */
  refutations: RefutationLimit;
  /** confirm mode: the reason the node counts as dead, or null at the deadline. */
  confirmDead: (node: string, signal: AbortSignal) => Promise<string | null>;
  identity: string;
  now: () => number;
  logger: Logger;
  observer: RemediationObserver;
  /** Step-by-step progress for the status API. */
  progress: RemediationProgress;
  /** Throws NotLeaderError when this replica may no longer act. */
  assertLeader: () => void;
  /** Aborted when this replica stops leading or shuts down. */
  signal: AbortSignal;
}

export interface RemediateOptions {
  /** An operator released a Held record: skip exclusion, storm limits and confirmation. */
  released: boolean;
}

export interface Outcome {
  name: string;
  phase: Phase;
  reason: string | null;
  podsDeleted: number;
}
