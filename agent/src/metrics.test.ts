import { VERSION } from '@lastgasp/proto/version';
import { expect } from 'chai';
import { createMetrics } from './metrics.js';
import { READY_REASONS } from './types.js';

/** Sample lines of the registry's exposition, keyed by name{labels}. */
async function samples(metrics: ReturnType<typeof createMetrics>): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const line of (await metrics.registry.metrics()).split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    out.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return out;
}

describe('agent metrics', () => {
  it('lastgasp_build_info names the version, the revision and the Node.js version', async () => {
    const m = await samples(createMetrics());
    expect(m.get(`lastgasp_build_info{version="${VERSION}",revision="unknown",node_version="${process.versions.node}"}`)).to.equal(1);
  });

  it('every counter exists at 0 for each label value before anything happened', async () => {
    const m = await samples(createMetrics());
    for (const action of ['create', 'repair', 'remove']) {
      for (const result of ['ok', 'failed', 'skipped']) expect(m.get(`lastgasp_agent_target_actions_total{action="${action}",result="${result}"}`)).to.equal(0);
    }
    expect(m.get('lastgasp_agent_reconciles_total{result="ok"}')).to.equal(0);
    expect(m.get('lastgasp_agent_reconciles_total{result="error"}')).to.equal(0);
    expect(m.get('lastgasp_agent_canaries_total{result="written"}')).to.equal(0);
    expect(m.get('lastgasp_agent_canaries_total{result="failed"}')).to.equal(0);
    for (const reason of READY_REASONS) expect(m.get(`lastgasp_agent_condition{reason="${reason}"}`), reason).to.equal(0);
  });

  it('lastgasp_agent_condition: 1 for the current reason, 0 for every other', async () => {
    const metrics = createMetrics();
    metrics.observeStatus({ ready: false, reason: 'NeighborUnresolved', message: '', verified: [], features: null });
    metrics.observeStatus({ ready: true, reason: 'TargetsConfigured', message: '', verified: [], features: null });
    const m = await samples(metrics);
    for (const reason of READY_REASONS) {
      expect(m.get(`lastgasp_agent_condition{reason="${reason}"}`), reason).to.equal(reason === 'TargetsConfigured' ? 1 : 0);
    }
    expect(m.get('lastgasp_agent_ready')).to.equal(1);
  });
});
