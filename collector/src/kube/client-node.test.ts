import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { expect } from 'chai';
import * as shim from './client-node.js';

const run = promisify(execFile);
const SCRIPT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'scripts', 'bundle-client-node.mjs');

const KUBECONFIG = `apiVersion: v1
kind: Config
clusters:
- name: c
  cluster: { server: 'https://127.0.0.1:6443', insecure-skip-tls-verify: true }
users:
- name: u
  user: { token: t0k3n }
contexts:
- name: x
  context: { cluster: c, user: u }
current-context: x
`;

describe('scripts/bundle-client-node.mjs', function () {
  this.timeout(120_000);
  let dir = '';
  let outfile = '';
  let bundle: Record<string, unknown> = {};
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lastgasp-client-node-'));
    outfile = join(dir, 'client-node.js');
    await run(process.execPath, [SCRIPT, outfile]);
    bundle = (await import(pathToFileURL(outfile).href)) as Record<string, unknown>;
  });
  after(async () => {
    if (dir !== '') await rm(dir, { recursive: true, force: true });
  });

  it('exports exactly what src/kube/client-node.ts names', () => {
    expect(Object.keys(bundle).sort()).to.deep.equal(Object.keys(shim).sort());
  });

  it('is self-contained: it loads nothing from @kubernetes/client-node', async () => {
    const text = await readFile(outfile, 'utf8');
    expect(text).to.not.match(/(?:\bfrom|\bimport\(|\brequire\()\s*["']@kubernetes\/client-node/);
  });

  it('is tree-shaken: under 8 MB, where the package loads ~21 MB of JavaScript', async () => {
    expect((await stat(outfile)).size).to.be.below(8 << 20);
  });

  it('its KubeConfig reads a kubeconfig and builds an API client for its server', () => {
    const KubeConfig = bundle.KubeConfig as typeof shim.KubeConfig;
    const CoreV1Api = bundle.CoreV1Api as typeof shim.CoreV1Api;
    const kc = new KubeConfig();
    kc.loadFromString(KUBECONFIG);
    expect(kc.getCurrentCluster()?.server).to.equal('https://127.0.0.1:6443');
    expect(kc.getCurrentUser()?.token).to.equal('t0k3n');
    expect(kc.makeApiClient(CoreV1Api)).to.be.instanceOf(CoreV1Api);
  });
});
