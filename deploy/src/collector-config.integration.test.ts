// The config files this folder ships are read by the real collector: the chart's ConfigMap (defaults
// and each ci/*-values.yaml, with the mounted rules) and the compose stack's file. Each is handed to
// `lastgasp-collector serve --standalone --config FILE` with listeners on loopback port 0; the test
// waits for its start-up line and compares the policy it reports.
import type { V1ConfigMap } from '@kubernetes/client-node';
import { parseDuration } from '@lastgasp/collector';
import { ensureBinaries } from '@lastgasp/testbed/cluster';
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { createHelm, kubeVersionArgs } from './helm.js';
import type { Helm } from './helm.js';
import { Rendered } from './rendered.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CHART = join(ROOT, 'deploy/helm/lastgasp');
const MAIN = join(ROOT, 'collector/src/main.ts');
/** Where the chart mounts the ConfigMap; rewritten to a temp dir here. */
const MOUNT = '/etc/lastgasp/';
const START_TIMEOUT_MS = 90_000;

interface Started {
  policy: Record<string, unknown>;
  limits: Record<string, unknown>;
  standalone: boolean;
}

/** Leaf values of a nested mapping by dotted path. */
function leaves(obj: unknown, prefix = ''): Map<string, unknown> {
  const out = new Map<string, unknown>();
  for (const [key, value] of Object.entries(obj as Record<string, unknown>)) {
    const path = prefix === '' ? key : `${prefix}.${key}`;
    if (value !== null && typeof value === 'object') for (const [p, v] of leaves(value, path)) out.set(p, v);
    else out.set(path, value);
  }
  return out;
}

/** Starts the collector on loopback with `configPath`, returns its start-up line, stops it. */
async function startOnce(configPath: string): Promise<Started> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', '--conditions=lastgasp-source', MAIN, 'serve', '--standalone', `--config=${configPath}`,
      '--udp-listen=127.0.0.1:0', '--grpc-listen=127.0.0.1:0', '--http-listen=127.0.0.1:0'],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, POD_NAME: 'config-test', POD_NAMESPACE: 'lastgasp' } },
  );
  const output: string[] = [];
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  try {
    return await new Promise<Started>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no start-up line within ${START_TIMEOUT_MS} ms:\n${output.join('\n')}`)), START_TIMEOUT_MS);
      const onLine = (line: string): void => {
        output.push(line);
        try {
          const entry = JSON.parse(line) as { msg?: string; policy?: Record<string, unknown>; limits?: Record<string, unknown>; standalone?: boolean };
          if (entry.msg === 'collector started' && entry.policy) {
            clearTimeout(timer);
            resolve({ policy: entry.policy, limits: entry.limits ?? {}, standalone: entry.standalone ?? false });
          }
        } catch {
          // not a log line
        }
      };
      createInterface({ input: child.stdout }).on('line', onLine);
      createInterface({ input: child.stderr }).on('line', onLine);
      void exited.then((code) => {
        clearTimeout(timer);
        reject(new Error(`collector exited with ${String(code)} before starting:\n${output.join('\n')}`));
      });
    });
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  }
}

describe('config files read by the real collector', function () {
  this.timeout(180_000);
  let helm: Helm;
  let dir = '';
  let ciFiles: string[] = [];

  before(async function () {
    this.timeout(30 * 60_000);
    const binaries = await ensureBinaries();
    dir = await mkdtemp(join(tmpdir(), 'lastgasp-config-'));
    helm = createHelm({ binary: binaries.helm, home: join(dir, 'helm') });
    ciFiles = (await readdir(join(CHART, 'ci'))).filter((f) => f.endsWith('-values.yaml')).sort();
  });
  after(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  /** Writes the rendered ConfigMap's files as the kubelet would mount them; returns the config path. */
  async function mountConfigMap(valuesFile: string | null): Promise<{ path: string; values: Record<string, unknown> }> {
    const args = ['template', 'lastgasp', CHART, ...kubeVersionArgs(), '--show-only', 'templates/collector-configmap.yaml', ...(valuesFile ? ['--values', join(CHART, 'ci', valuesFile)] : [])];
    const cm = Rendered.parse(await helm.ok(args)).one<V1ConfigMap>('ConfigMap');
    const mount = join(dir, valuesFile ?? 'defaults');
    await mkdir(mount, { recursive: true });
    for (const [name, text] of Object.entries(cm.data ?? {})) await writeFile(join(mount, name), text.split(MOUNT).join(`${mount}/`));
    return { path: join(mount, 'config.yaml'), values: parse(cm.data?.['config.yaml'] ?? '') as Record<string, unknown> };
  }

  /** Drops the config's `grpc` section (TLS files that exist only in a pod). */
  const withoutGrpc = async (path: string): Promise<void> => {
    const config = parse(await readFile(path, 'utf8')) as Record<string, unknown>;
    delete config['grpc'];
    await writeFile(path, JSON.stringify(config));
  };

  /** The rendered policy as the collector reports it: durations of its sections (`400ms`) in ms (`windowMs`). */
  const asStarted = (policy: unknown): Record<string, unknown> => {
    const out: Record<string, unknown> = { ...(policy as Record<string, unknown>) };
    for (const section of ['proofOfDeath', 'nonFatal', 'retention']) {
      const converted: Record<string, unknown> = {};
      for (const [key, value] of Object.entries((out[section] ?? {}) as Record<string, unknown>)) {
        if (typeof value === 'string') converted[`${key}Ms`] = parseDuration(value);
        else converted[key] = value;
      }
      out[section] = converted;
    }
    return out;
  };

  it('accepts the chart ConfigMap with the default values', async () => {
    const { path, values } = await mountConfigMap(null);
    // The TLS files come from a Secret the chart makes at install; the policy is what is checked here.
    expect(values['grpc']).to.deep.equal({ tlsCert: '/etc/lastgasp-tls/tls.crt', tlsKey: '/etc/lastgasp-tls/tls.key', clientCa: '/etc/lastgasp-tls/ca.crt' });
    await withoutGrpc(path);
    const started = (await startOnce(path)).policy;
    expect(started).to.deep.equal(asStarted(values['policy']));
    expect(started['proofOfDeath']).to.deep.include({ enabled: true, attempts: 3, windowMs: 300, attemptTimeoutMs: 200, port: null });
  });

  it('accepts the chart ConfigMap with each ci/*-values.yaml (custom rules mounted beside it)', async () => {
    expect(ciFiles).to.not.be.empty;
    for (const file of ciFiles) {
      const { path, values } = await mountConfigMap(file);
      // TLS files named by the config do not exist here; the policy and rules are what is checked.
      if (values['grpc'] !== undefined) await withoutGrpc(path);
      const started = await startOnce(path);
      expect(started.policy, file).to.deep.equal(asStarted(values['policy']));
      // The bounds the file sets are the ones in force (the others are the collector's defaults).
      for (const [path, value] of leaves(values['limits'] ?? {})) expect(leaves(started.limits).get(path), `${file}: limits.${path}`).to.equal(value);
    }
  });

  it('accepts deploy/compose/collector-config.yaml', async () => {
    const path = join(ROOT, 'deploy/compose/collector-config.yaml');
    const values = parse(await readFile(path, 'utf8')) as Record<string, unknown>;
    const started = await startOnce(path);
    // The file sets part of the policy; the rest are the collector's defaults.
    expect(started.policy).to.deep.include(values['policy']);
  });
});
