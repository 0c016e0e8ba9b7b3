// Proof of death as a policy gate: nothing destructive happens on the word of a datagram alone. The probe
// was started on receipt (prove/death-proofs.ts), alongside the record write; this gate only awaits its
// verdict, records it on the NodeIncident before any destructive step, and decides:
//   dead         → go (the record and the Events say how death was proven);
//   alive        → refuted: the record ends Refuted, a Warning Event says a forged last gasp is
//                  possible, nothing is destroyed;
//   inconclusive → Kubernetes' own view decides (the confirm wait: kubelet Lease stale), never "dead".
// A verdict already on the record (an earlier leader's) is reused, never probed again. A leader with
// neither (it did not see the panic, and nobody recorded a verdict) holds the incident for an operator.
import type { DeathVerdict } from '../prove/death-verdict.js';
import type { RecordedProof } from '../record/incident-record.js';
import type { IncidentRun } from './incident-run.js';
import { waitForConfirmation } from './confirm-wait.js';
import type { OpenGate, Verdict } from './policy-gate.js';

function fromRecord(p: RecordedProof): DeathVerdict {
  return { verdict: p.verdict, summary: p.summary, attempts: [] };
}

/** Awaits this replica's verdict and writes it on the record: the step `prove-death`. */
async function proveAndRecord(run: IncidentRun, local: Promise<DeathVerdict>): Promise<DeathVerdict> {
  const { ctx } = run;
  return run.step(
    'prove-death',
    async () => {
      const verdict = await local;
      const proof: RecordedProof = { verdict: verdict.verdict, summary: verdict.summary, provedBy: ctx.identity, at: run.iso() };
      await ctx.retry(() => ctx.api.patchIncidentStatus(run.name, { proof }));
      return verdict;
    },
    (v) => `${v.verdict}: ${v.summary}`,
  );
}

/**
 * A dry run asks no gate, but still proves and records: the verdict on the record tells an operator
 * trying lastgasp out what the real policy would have done. Null when the probe is off or this replica
 * did not see the panic arrive.
 */
export async function proveForDryRun(run: IncidentRun): Promise<DeathVerdict | null> {
  const { ctx } = run;
  if (!ctx.policy.proofOfDeath.enabled) return null;
  if (run.recordedProof !== null) return fromRecord(run.recordedProof);
  const local = ctx.proofs.verdictOf(run.name);
  if (local === null) return null;
  const verdict = await proveAndRecord(run, local);
  ctx.observer.proved(verdict.verdict);
  return verdict;
}

export const proofGate: OpenGate = (run) => {
  const { ctx } = run;
  if (!ctx.policy.proofOfDeath.enabled) return { decide: (): Verdict => 'go' };
  const local = ctx.proofs.verdictOf(run.name);
  return {
    async decide(): Promise<Verdict> {
      const recorded = run.recordedProof;
      let verdict: DeathVerdict;
      if (recorded !== null) {
        verdict = fromRecord(recorded);
        run.report({ name: 'prove-death', outcome: 'ok', startedAt: ctx.now(), finishedAt: ctx.now(), message: `${verdict.verdict} (recorded by ${recorded.provedBy}): ${verdict.summary}` });
      } else if (local !== null) {
        verdict = await proveAndRecord(run, local);
      } else {
        return { reason: 'NoProofOfDeath', message: 'this replica did not see the panic arrive and no verdict was recorded: the node was not probed' };
      }
      ctx.observer.proved(verdict.verdict);
      if (verdict.verdict === 'dead') {
        run.log.info({ proof: verdict.summary }, 'node proven dead');
        return 'go';
      }
      if (verdict.verdict === 'alive') return { reason: 'NodeAnswered', message: verdict.summary, refuted: true };
      // Inconclusive: in confirm mode the confirm gate waits anyway; in immediate mode wait here.
      if (ctx.policy.mode === 'confirm') return 'go';
      run.log.warn({ proof: verdict.summary }, 'death not proven by the probe; waiting for Kubernetes to see the node dead');
      return waitForConfirmation(run, `the probe proved nothing (${verdict.summary})`);
    },
  };
};
