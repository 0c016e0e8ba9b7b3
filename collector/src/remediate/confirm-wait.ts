// The wait for Kubernetes' own view of a node's death (its kubelet Lease stale, or the Node gone), used by
// confirm mode and when the proof-of-death probe proved nothing. A step of its own (`confirm-dead`); the
// record says Detected while it waits.
import type { IncidentRun } from './incident-run.js';
import type { Hold } from './policy-gate.js';

/**
 * Waits until the node looks dead to Kubernetes (its kubelet Lease stale, or the Node gone), for at most
 * `policy.confirmTimeoutSeconds`; `why` says why the wait happens (confirm mode, an inconclusive probe).
 */
export async function waitForConfirmation(run: IncidentRun, why: string): Promise<'go' | Hold> {
  const { req, ctx } = run;
  const policy = ctx.policy;
  await run.status('Detected', { message: `waiting for the node to look dead (kubelet Lease): ${why}` });
  const startedAt = ctx.now();
  run.report({ name: 'confirm-dead', outcome: 'pending', startedAt, finishedAt: null, message: 'waiting for the kubelet Lease to go stale' });
  const dead = await ctx.confirmDead(req.node, ctx.signal);
  run.report({
    name: 'confirm-dead',
    outcome: dead === null ? 'failed' : 'ok',
    startedAt,
    finishedAt: ctx.now(),
    message: dead ?? `still alive after ${policy.confirmTimeoutSeconds}s`,
  });
  if (dead === null) {
    return { reason: 'NotConfirmed', message: `the node still renewed its kubelet Lease after ${policy.confirmTimeoutSeconds}s` };
  }
  run.log.info({ confirmation: dead }, 'node confirmed dead');
  return 'go';
}

