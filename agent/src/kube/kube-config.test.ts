import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { KubeConfigError, loadInCluster, loadKubeconfigFile } from './kube-config.js';

describe('loadKubeconfigFile', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lastgasp-agent-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  const write = async (user: string) => {
    const path = join(dir, 'kubeconfig');
    await writeFile(
      path,
      `apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: "https://127.0.0.1:6443/", certificate-authority-data: "${Buffer.from('CA').toString('base64')}"}}]
users: [{name: u, user: ${user}}]
contexts: [{name: x, context: {cluster: c, user: u}}]
current-context: x
`,
    );
    return path;
  };

  it('embedded CA and a relative token file → server without trailing slash, token read from the file', async () => {
    await writeFile(join(dir, 'token'), 'secret-token\n');
    const target = loadKubeconfigFile(await write('{tokenFile: token}'));
    expect(target.server).to.equal('https://127.0.0.1:6443');
    expect(target.ca?.toString()).to.equal('CA');
    expect(target.token()).to.equal('secret-token');
  });
  it('an exec plugin → KubeConfigError naming the user', async () => {
    const path = await write('{exec: {command: aws}}');
    expect(() => loadKubeconfigFile(path)).to.throw(KubeConfigError, /user "u" uses an exec/);
  });
  it('outside a cluster without a kubeconfig → KubeConfigError', () => {
    expect(() => loadInCluster({})).to.throw(KubeConfigError, /KUBERNETES_SERVICE_HOST/);
  });
});
