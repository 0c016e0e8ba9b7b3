import { createRefutationLimit } from './refutation-limit.js';
import { expect } from 'chai';
import { pino } from 'pino';
import { defaultConfig, type RemediationPolicy } from '../config/config.js';
import { parseLabelSelector } from '../config/label-selector.js';
import type { RemediationRequest } from '../record/incident-record.js';
import type { StepReport } from '../record/remediation-steps.js';
import type { ClusterApi } from './cluster-api.js';
import { IncidentRun } from './incident-run.js';
import type { DeathVerdict } from '../prove/death-verdict.js';
import { proofGate } from './proof-gate.js';
import { confirmGate, exclusionGate, firstHold, openPolicyGates, stormGate, type OpenGate, type Verdict } from './policy-gate.js';
import type { RemediateContext } from './remediate-context.js';
import { createStormGuard } from './storm-guard.js';

const req: RemediationRequest = {
  incidentId: 'inc-1',
  node: 'w1',
  source: '10.0.0.1',
  kind: 'KernelPanic',
  fatal: true,
  summary: 'Kernel panic - not syncing: Fatal exception',
  cause: null,
  kernelRelease: null,
  lines: [],
  detectedAt: 0,
};

interface Setup {
  policy?: Partial<RemediationPolicy>;
  labels?: Record<string, string> | null;
  confirmDead?: RemediateContext['confirmDead'];
  /** This replica's verdict (null: it never probed this incident). */
  verdict?: DeathVerdict | null;
}

/** A run whose API only takes status patches; what the gates report is collected. */
function runWith(s: Setup = {}) {
  const policy = { ...defaultConfig({ identity: 'c1', namespace: 'ns' }).policy, ...s.policy };
  const steps: StepReport[] = [];
  const statuses: string[] = [];
  const proofs: unknown[] = [];
  const observed: string[] = [];
  const api = {
    patchIncidentStatus: (_name: string, status: { phase?: string; proof?: unknown }) => {
      if (status.proof !== undefined) proofs.push(status.proof);
      else statuses.push(status.phase ?? '');
      return Promise.resolve('done' as const);
    },
  } as unknown as ClusterApi;
  const ctx: RemediateContext = {
    api,
    retry: (op) => op(),
    policy,
    exclude: parseLabelSelector(policy.excludeNodeSelector),
    storm: createStormGuard(policy.storm),
    cluster: { readyCount: () => 10, isReady: () => true, labelsOf: () => (s.labels === undefined ? {} : s.labels) },
    confirmDead: s.confirmDead ?? (() => Promise.resolve('the Node is not Ready')),
    identity: 'c1',
    now: () => 1000,
    logger: pino({ level: 'silent' }),
    observer: {
      podDeleted: () => undefined,
      nodeRemediated: () => undefined,
      held: () => undefined,
      completed: () => undefined,
      proved: (v) => observed.push(`proved ${v}`),
      refuted: (node) => observed.push(`refuted ${node}`),
      refutedUnrecorded: (node) => observed.push(`refuted unrecorded ${node}`),
    },
    refutations: createRefutationLimit(),
    proofs: { verdictOf: () => (s.verdict === undefined ? Promise.resolve(DEAD) : s.verdict === null ? null : Promise.resolve(s.verdict)) },
    progress: { step: (_id, step) => steps.push(step), phase: () => undefined },
    assertLeader: () => undefined,
    signal: new AbortController().signal,
  };
  return { run: new IncidentRun(req, ctx), ctx, steps, statuses, proofs, observed };
}

const DEAD: DeathVerdict = { verdict: 'dead', summary: 'no answer from 10.0.0.1:10250 in 3 attempts over 400 ms', attempts: [] };
const ALIVE: DeathVerdict = { verdict: 'alive', summary: '10.0.0.1:10250 answered (connection refused) 212 ms after the panic line', attempts: [] };
const UNCLEAR: DeathVerdict = { verdict: 'inconclusive', summary: '10.0.0.1:10250 unreachable (EHOSTUNREACH)', attempts: [] };

describe('policy gates', () => {
  describe('each gate alone', () => {
    const cases: [string, OpenGate, Setup, Verdict][] = [
      ['exclusion, a control-plane Node', exclusionGate, { labels: { 'node-role.kubernetes.io/control-plane': '' } }, { reason: 'Excluded', message: 'the Node matches the exclusion selector "node-role.kubernetes.io/control-plane"' }],
      ['exclusion, a worker Node', exclusionGate, { labels: { 'kubernetes.io/os': 'linux' } }, 'go'],
      ['exclusion, a Node not in the cache', exclusionGate, { labels: null }, 'go'],
      ['storm, first node of the window', stormGate, {}, 'go'],
      ['confirm, immediate mode', confirmGate, { confirmDead: () => Promise.reject(new Error('must not be asked')) }, 'go'],
      ['confirm, confirm mode, Ready dropped', confirmGate, { policy: { mode: 'confirm' } }, 'go'],
      ['confirm, confirm mode, still alive at the deadline', confirmGate, { policy: { mode: 'confirm', confirmTimeoutSeconds: 30 }, confirmDead: () => Promise.resolve(null) }, { reason: 'NotConfirmed', message: 'the node still renewed its kubelet Lease after 30s' }],
    ];
    for (const [name, open, setup, want] of cases) {
      it(`${name} → ${want === 'go' ? 'go' : want.reason}`, async () => {
        const { run } = runWith(setup);
        expect(await open(run).decide()).to.deep.equal(want);
      });
    }

    it('storm, limit 1 and another node admitted → StormLimit; the node is not counted', async () => {
      const { run, ctx } = runWith({ policy: { storm: { maxNodesPerWindow: 1, windowSeconds: 600, maxPercentOfReadyNodes: 100 } } });
      ctx.storm.admit('other', 1000, ctx.cluster);
      const verdict = await stormGate(run).decide();
      expect(verdict).to.include({ reason: 'StormLimit' });
      expect(ctx.storm.admittedInWindow(1000)).to.equal(1);
    });

    it('confirm mode → the record says Detected, then the confirm-dead step pending → ok with the reason', async () => {
      const { run, steps, statuses } = runWith({ policy: { mode: 'confirm' } });
      await confirmGate(run).decide();
      expect(statuses).to.deep.equal(['Detected']);
      const confirm = steps.filter((s) => s.name === 'confirm-dead');
      expect(confirm.map((s) => s.outcome)).to.deep.equal(['pending', 'ok']);
      expect(confirm[1]?.message).to.equal('the Node is not Ready');
    });
  });

  describe('proof of death', () => {
    it('this replica proved the node dead → go; the verdict is written on the record before anything else', async () => {
      const { run, proofs, steps, observed } = runWith({ verdict: DEAD });
      expect(await proofGate(run).decide()).to.equal('go');
      expect(proofs).to.deep.equal([{ verdict: 'dead', summary: DEAD.summary, provedBy: 'c1', at: new Date(1000).toISOString() }]);
      expect(steps.filter((s) => s.name === 'prove-death').map((s) => s.outcome)).to.deep.equal(['pending', 'ok']);
      expect(steps.at(-1)?.message).to.equal(`dead: ${DEAD.summary}`);
      expect(observed).to.deep.equal(['proved dead']);
    });

    it('the node answered → refuted with the answer as the message, nothing held', async () => {
      const { run, proofs } = runWith({ verdict: ALIVE });
      expect(await proofGate(run).decide()).to.deep.equal({ reason: 'NodeAnswered', message: ALIVE.summary, refuted: true });
      expect(proofs).to.have.length(1);
    });

    it('a verdict already on the record (an earlier leader) → reused, this replica\'s own never asked', async () => {
      const { run, proofs } = runWith({ verdict: ALIVE });
      run.recordedProof = { verdict: 'dead', summary: DEAD.summary, provedBy: 'c0', at: '2026-01-01T00:00:00Z' };
      expect(await proofGate(run).decide()).to.equal('go');
      expect(proofs).to.deep.equal([]);
    });

    it('no verdict here and none recorded (a new leader that did not see the panic) → Held NoProofOfDeath', async () => {
      const { run } = runWith({ verdict: null });
      expect(await proofGate(run).decide()).to.include({ reason: 'NoProofOfDeath' });
    });

    it('inconclusive, immediate mode → waits for Kubernetes: dead by the Lease → go, still alive → NotConfirmed', async () => {
      const dead = runWith({ verdict: UNCLEAR, confirmDead: () => Promise.resolve('the kubelet Lease was last renewed 40s ago') });
      expect(await proofGate(dead.run).decide()).to.equal('go');
      expect(dead.statuses).to.deep.equal(['Detected']);
      const alive = runWith({ verdict: UNCLEAR, confirmDead: () => Promise.resolve(null), policy: { confirmTimeoutSeconds: 30 } });
      expect(await proofGate(alive.run).decide()).to.deep.equal({ reason: 'NotConfirmed', message: 'the node still renewed its kubelet Lease after 30s' });
    });

    it('inconclusive, confirm mode → go: the confirm gate that follows waits anyway', async () => {
      const { run } = runWith({ verdict: UNCLEAR, policy: { mode: 'confirm' }, confirmDead: () => Promise.reject(new Error('must not be asked here')) });
      expect(await proofGate(run).decide()).to.equal('go');
    });

    it('proof of death turned off → go without asking for a verdict', async () => {
      const base = defaultConfig({ identity: 'c1', namespace: 'ns' }).policy;
      const { run, proofs } = runWith({ verdict: null, policy: { proofOfDeath: { ...base.proofOfDeath, enabled: false } } });
      expect(await proofGate(run).decide()).to.equal('go');
      expect(proofs).to.deep.equal([]);
    });

    it('the default chain asks proof of death before the storm limit: a refuted incident spends no storm budget', async () => {
      const { run, ctx } = runWith({ verdict: ALIVE, policy: { storm: { maxNodesPerWindow: 1, windowSeconds: 600, maxPercentOfReadyNodes: 100 } } });
      expect(await firstHold(openPolicyGates(run))).to.include({ reason: 'NodeAnswered', refuted: true });
      expect(ctx.storm.admittedInWindow(1000)).to.equal(0);
    });
  });

  describe('the chain', () => {
    /** A gate that logs when it is opened and asked, and answers `verdict`. */
    const gate = (name: string, verdict: Verdict, log: string[]): OpenGate => () => {
      log.push(`open ${name}`);
      return {
        decide() {
          log.push(`ask ${name}`);
          return verdict;
        },
      };
    };
    const storm = { reason: 'StormLimit', message: 'too many' };
    const cases: [string, [string, Verdict][], Verdict | null, string[]][] = [
      ['no gates', [], null, []],
      ['go, go', [['a', 'go'], ['b', 'go']], null, ['ask a', 'ask b']],
      ['go, hold, go', [['a', 'go'], ['b', storm], ['c', 'go']], storm, ['ask a', 'ask b']],
      ['hold, hold', [['a', { reason: 'Excluded', message: 'x' }], ['b', storm]], { reason: 'Excluded', message: 'x' }, ['ask a']],
    ];
    for (const [name, spec, want, asked] of cases) {
      it(`${name} → ${want === null ? 'no hold' : (want as { reason: string }).reason}; every gate opened first, then asked in order up to the first hold`, async () => {
        const log: string[] = [];
        const gates = openPolicyGates(runWith().run, spec.map(([n, v]) => gate(n, v, log)));
        expect(log).to.deep.equal(spec.map(([n]) => `open ${n}`));
        log.length = 0;
        expect(await firstHold(gates)).to.deep.equal(want);
        expect(log).to.deep.equal(asked);
      });
    }

    it('two gates whose evidence was started when opened → both gathered at once, before either is asked', async () => {
      const started: string[] = [];
      const settle: (() => void)[] = [];
      const probing = (name: string): OpenGate => () => {
        started.push(name);
        const evidence = new Promise<Verdict>((resolve) => settle.push(() => resolve('go')));
        return { decide: () => evidence };
      };
      const gates = openPolicyGates(runWith().run, [probing('a'), probing('b')]);
      expect(started).to.deep.equal(['a', 'b']);
      // The second probe finishes first; the chain still answers once both have.
      settle[1]?.();
      settle[0]?.();
      expect(await firstHold(gates)).to.equal(null);
    });
  });
});
