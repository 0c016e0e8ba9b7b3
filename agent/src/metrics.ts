// The agent's Prometheus metrics, in a registry of its own (no global state). Default process metrics
// are left out on purpose: their event-loop-lag sampler wakes the process every few milliseconds,
// which an idle DaemonSet on every node should not do.
import { BUILD_INFO_METRIC, buildInfoLabels } from '@lastgasp/proto/version';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { ActionOutcome } from './configfs/apply-targets.js';
import { READY_REASONS, SYSDATA_SWITCHES, type AgentStatus } from './types.js';

export interface AgentMetrics {
  registry: Registry;
  observeStatus(status: AgentStatus): void;
  observeOutcomes(outcomes: ActionOutcome[]): void;
  observePass(result: 'ok' | 'error', durationMs: number): void;
  observeEndpoints(count: number): void;
  observeCanary(ok: boolean): void;
}

export function createMetrics(): AgentMetrics {
  const registry = new Registry();
  new Gauge({ ...BUILD_INFO_METRIC, labelNames: [...BUILD_INFO_METRIC.labelNames], registers: [registry] }).set(buildInfoLabels(), 1);
  const ready = new Gauge({ name: 'lastgasp_agent_ready', help: '1 when at least one netconsole target is enabled and verified.', registers: [registry] });
  const verified = new Gauge({ name: 'lastgasp_agent_targets_verified', help: 'Collector endpoints with an enabled, verified netconsole target.', registers: [registry] });
  const endpoints = new Gauge({ name: 'lastgasp_agent_collector_endpoints', help: 'Collector endpoints currently discovered or configured.', registers: [registry] });
  const condition = new Gauge({ name: 'lastgasp_agent_condition', help: 'The LastGaspReady reasons: 1 for the current one, 0 for the others.', labelNames: ['reason'], registers: [registry] });
  const feature = new Gauge({ name: 'lastgasp_agent_kernel_feature', help: 'netconsole features used on this kernel (1 = used).', labelNames: ['feature'], registers: [registry] });
  const actions = new Counter({ name: 'lastgasp_agent_target_actions_total', help: 'netconsole target actions by kind and result.', labelNames: ['action', 'result'], registers: [registry] });
  const passes = new Counter({ name: 'lastgasp_agent_reconciles_total', help: 'Reconcile passes by result (error = something left unconfigured).', labelNames: ['result'], registers: [registry] });
  const passSeconds = new Histogram({
    name: 'lastgasp_agent_reconcile_duration_seconds',
    help: 'Duration of reconcile passes.',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  const suppressed = new Gauge({
    name: 'lastgasp_agent_panic_reboot_suppresses_last_gasp',
    help: '1 when this kernel would reboot before netconsole sends the panic (nbcon netconsole with kernel.panic≠0, not remedied).',
    registers: [registry],
  });
  const panicSeconds = new Gauge({ name: 'lastgasp_agent_kernel_panic_seconds', help: 'kernel.panic as last read (0 = hang on panic).', registers: [registry] });
  const remedied = new Gauge({ name: 'lastgasp_agent_panic_zero_set', help: '1 when the agent set kernel.panic=0 (agent.panicReboot: set-panic-zero).', registers: [registry] });
  const canaries = new Counter({ name: 'lastgasp_agent_canaries_total', help: 'Canary lines written to /dev/kmsg by result.', labelNames: ['result'], registers: [registry] });
  // Every label value at 0 from the start, so rates and alerts need no `or vector(0)`.
  for (const action of ['create', 'repair', 'remove']) for (const result of ['ok', 'failed', 'skipped']) actions.inc({ action, result }, 0);
  for (const result of ['ok', 'error']) passes.inc({ result }, 0);
  for (const result of ['written', 'failed']) canaries.inc({ result }, 0);
  for (const reason of READY_REASONS) condition.set({ reason }, 0);
  return {
    registry,
    observeStatus(status) {
      ready.set(status.ready ? 1 : 0);
      verified.set(status.verified.length);
      for (const reason of READY_REASONS) condition.set({ reason }, reason === status.reason ? 1 : 0);
      if (status.features !== null) {
        feature.set({ feature: 'extended' }, status.features.extended ? 1 : 0);
        feature.set({ feature: 'release' }, status.features.release ? 1 : 0);
        feature.set({ feature: 'userdata' }, status.features.userdata ? 1 : 0);
        for (const s of SYSDATA_SWITCHES) feature.set({ feature: `sysdata:${s}` }, status.features.sysdata.includes(s) ? 1 : 0);
        feature.set({ feature: 'ratelimit' }, status.features.ratelimit ? 1 : 0);
      }
      const check = status.panicReboot ?? null;
      if (check !== null) {
        feature.set({ feature: 'nbcon' }, check.nbcon === true ? 1 : 0);
        suppressed.set(check.sendsPanic ? 0 : 1);
        remedied.set(check.remedy === 'applied' ? 1 : 0);
        if (check.panicSeconds !== null) panicSeconds.set(check.panicSeconds);
      }
    },
    observeOutcomes(outcomes) {
      for (const o of outcomes) actions.inc({ action: o.action.kind, result: o.result });
    },
    observePass(result, durationMs) {
      passes.inc({ result });
      passSeconds.observe(durationMs / 1000);
    },
    observeEndpoints: (count) => endpoints.set(count),
    observeCanary: (ok) => canaries.inc({ result: ok ? 'written' : 'failed' }),
  };
}
