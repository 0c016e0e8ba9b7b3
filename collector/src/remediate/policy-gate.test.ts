import { expect } from 'chai';
import { pino } from 'pino';
import { defaultConfig, type RemediationPolicy } from '../config/config.js';
import { parseLabelSelector } from '../config/label-selector.js';
import type { RemediationRequest } from '../record/incident-record.js';
import type { StepReport } from '../record/remediation-steps.js';
import type { ClusterApi } from './cluster-api.js';
import { IncidentRun } from './incident-run.js';
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
}

/** A run whose API only takes status patches; what the gates report is collected. */
function runWith(s: Setup = {}) {
  const policy = { ...defaultConfig({ identity: 'c1', namespace: 'ns' }).policy, ...s.policy };
  const steps: StepReport[] = [];
  const statuses: string[] = [];
  const api = {
    patchIncidentStatus: (_name: string, status: { phase?: string }) => {
      statuses.push(status.phase ?? '');
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
    observer: { podDeleted: () => undefined, nodeRemediated: () => undefined, held: () => undefined, completed: () => undefined },
    progress: { step: (_id, step) => steps.push(step), phase: () => undefined },
    assertLeader: () => undefined,
    signal: new AbortController().signal,
  };
  return { run: new IncidentRun(req, ctx), ctx, steps, statuses };
}

describe('policy gates', () => {
  describe('each gate alone', () => {
    const cases: [string, OpenGate, Setup, Verdict][] = [
      ['exclusion, a control-plane Node', exclusionGate, { labels: { 'node-role.kubernetes.io/control-plane': '' } }, { reason: 'Excluded', message: 'the Node matches the exclusion selector "node-role.kubernetes.io/control-plane"' }],
      ['exclusion, a worker Node', exclusionGate, { labels: { 'kubernetes.io/os': 'linux' } }, 'go'],
      ['exclusion, a Node not in the cache', exclusionGate, { labels: null }, 'go'],
      ['storm, first node of the window', stormGate, {}, 'go'],
      ['confirm, immediate mode', confirmGate, { confirmDead: () => Promise.reject(new Error('must not be asked')) }, 'go'],
      ['confirm, confirm mode, Ready dropped', confirmGate, { policy: { mode: 'confirm' } }, 'go'],
      ['confirm, confirm mode, still alive at the deadline', confirmGate, { policy: { mode: 'confirm', confirmTimeoutSeconds: 30 }, confirmDead: () => Promise.resolve(null) }, { reason: 'NotConfirmed', message: 'the node still renewed its kubelet Lease and was Ready after 30s' }],
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
