import { expect } from 'chai';
import { fileURLToPath } from 'node:url';
import { defaultConfig } from './config.js';
import { loadConfig } from './load-config.js';

const SHIPPED = fileURLToPath(new URL('../../config/collector.yaml', import.meta.url));

describe('loadConfig', () => {
  it('the shipped collector.yaml is valid and equals the defaults', async () => {
    const env = { POD_NAME: 'collector-0', POD_NAMESPACE: 'lastgasp' };
    const c = await loadConfig({ configFile: SHIPPED, flags: {}, env });
    expect(c).to.deep.equal(defaultConfig({ identity: 'collector-0', namespace: 'lastgasp' }));
  });

  it('flags win over the shipped file', async () => {
    const c = await loadConfig({ configFile: SHIPPED, flags: { udpListen: '127.0.0.1:0', policy: { dryRun: true } }, env: {} });
    expect(c.udpListen).to.deep.equal({ host: '127.0.0.1', port: 0 });
    expect(c.policy.dryRun).to.equal(true);
    expect(c.policy.nodeAction).to.equal('delete');
  });

  it('a missing file fails naming it', async () => {
    let message = '';
    await loadConfig({ configFile: '/nonexistent/collector.yaml', flags: {}, env: {} }).catch((err: Error) => (message = err.message));
    expect(message).to.match(/^config: cannot read \/nonexistent\/collector.yaml/);
  });
});
