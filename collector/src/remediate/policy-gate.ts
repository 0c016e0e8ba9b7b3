// The policy gates between an incident's record and anything destructive. Each gate looks at one thing
// and answers go, or hold with a reason: the record goes Held and waits for an operator's release (a
// release, a dry run, or a record already Remediating skips the gates). The gates are asked one by one,
// in the order of POLICY_GATES, and the first hold ends the chain: a gate with an effect (the storm limit
// counts the node it admits) acts only once every earlier gate said go.
//
// A gate is opened when the run starts, the moment the incident is resolved to a Node and before its
// record is written; it is asked after the record exists. A gate that needs evidence from the network
// starts gathering it when opened and only awaits it when asked, so the evidence is gathered alongside
// the record write and a chain of such gates costs the slowest of them, not the sum. The next gate meant
// for this list, the proof of death (proof-gate.ts), is such a gate: its probe started when the incident
// was resolved, and it only awaits the verdict. It comes before the storm limit, so only proven deaths
// spend the storm budget: forged last gasps cannot use it up and so hold a real panic back.
import type { IncidentRun } from './incident-run.js';
import { waitForConfirmation } from './confirm-wait.js';
import { proofGate } from './proof-gate.js';

/** Why a gate holds: `reason` is a stable code (the record's Held reason, a metric label); `message` is for people. */
export interface Hold {
  reason: string;
  message: string;
  /** The node was shown alive: the incident ends Refuted (final) instead of Held. */
  refuted?: true;
}

export type Verdict = 'go' | Hold;

/** One gate for one incident, opened when the run starts. */
export interface PolicyGate {
  /** Asked once the record exists and every earlier gate said go; at most once, and perhaps never. */
  decide(): Verdict | Promise<Verdict>;
}

/**
 * Opens a gate for `run`. Work started here (a probe) must end on its own or with `run.ctx.signal`, and
 * its promise must be observed here as well: `decide` is not called when an earlier gate holds or the
 * record turns out to be final already.
 */
export type OpenGate = (run: IncidentRun) => PolicyGate;

/** Nodes matching `policy.excludeNodeSelector` (e.g. the control plane) are never remediated automatically. */
export const exclusionGate: OpenGate = ({ req, ctx }) => ({
  decide() {
    const labels = ctx.cluster.labelsOf(req.node);
    if (labels === null || !ctx.exclude.matches(labels)) return 'go';
    return { reason: 'Excluded', message: `the Node matches the exclusion selector "${ctx.policy.excludeNodeSelector}"` };
  },
});

/** At most so many nodes per window (storm-guard.ts); counts the node when it admits it. */
export const stormGate: OpenGate = ({ req, ctx }) => ({
  decide() {
    const admission = ctx.storm.admit(req.node, ctx.now(), ctx.cluster);
    return admission.admitted ? 'go' : { reason: 'StormLimit', message: admission.reason };
  },
});

/**
 * confirm mode: waits until the node looks dead to Kubernetes too (confirm-dead.ts), for at most
 * `policy.confirmTimeoutSeconds`. The one gate that takes time on purpose (the operator traded speed for
 * certainty); its wait starts when it is asked, so a node another gate holds is not watched. The record
 * says Detected while it waits, and the wait is a step of its own (`confirm-dead`).
 */
export const confirmGate: OpenGate = (run) => ({
  decide() {
    return run.ctx.policy.mode === 'confirm' ? waitForConfirmation(run, 'confirm mode') : 'go';
  },
});

/** The gates, in the order they are asked. */
export const POLICY_GATES: readonly OpenGate[] = [exclusionGate, proofGate, stormGate, confirmGate];

export function openPolicyGates(run: IncidentRun, gates: readonly OpenGate[] = POLICY_GATES): PolicyGate[] {
  return gates.map((open) => open(run));
}

/** Asks the gates in order; the first hold, or null when every gate says go. */
export async function firstHold(gates: readonly PolicyGate[]): Promise<Hold | null> {
  for (const gate of gates) {
    const verdict = await gate.decide();
    if (verdict !== 'go') return verdict;
  }
  return null;
}
