// Locates the control plane's binaries in the per-machine cache, building them first when missing
// (test/cluster/build-binaries.sh: the first build takes minutes, later calls return at once).
import { spawn } from 'node:child_process';
import { accessSync, constants, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export interface Binaries {
  /** Multi-call binary: `k8s etcd|kube-apiserver|kube-controller-manager|kube-scheduler`. */
  k8s: string;
  kwok: string;
  helm: string;
  grpcurl: string;
  /** Prometheus' promtool: `promtool test rules` for the chart's alerts. */
  promtool: string;
  /** The Prometheus Operator's ServiceMonitor, PodMonitor and PrometheusRule CRD files. */
  monitoringCrds: string[];
}

export interface Versions {
  kubernetes: string;
  kwok: string;
  helm: string;
  grpcurl: string;
  promtool: string;
  prometheusOperator: string;
}

/** test/cluster, from both test/src/cluster (sources) and test/dist/cluster (built). */
const BUILD_DIR = fileURLToPath(new URL('../../cluster/', import.meta.url));

/** Parses `KEY=value` lines of a shell env file; comments and blank lines are ignored. */
export function parseEnvFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    const match = /^([A-Z0-9_]+)=["']?([^"'#\s]*)["']?\s*(#.*)?$/.exec(line);
    if (match?.[1] !== undefined && match[2] !== undefined) out[match[1]] = match[2];
  }
  return out;
}

export function readVersions(): Versions {
  const env = parseEnvFile(readFileSync(join(BUILD_DIR, 'versions.env'), 'utf8'));
  const pick = (key: string): string => {
    const value = env[key];
    if (!value) throw new Error(`versions.env: ${key} is missing`);
    return value;
  };
  return { kubernetes: pick('K8S_VERSION'), kwok: pick('KWOK_VERSION'), helm: pick('HELM_VERSION'), grpcurl: pick('GRPCURL_VERSION'), promtool: pick('PROMTOOL_VERSION'), prometheusOperator: pick('PROMETHEUS_OPERATOR_VERSION') };
}

export function binaryPaths(versions: Versions, cacheDir = process.env['LASTGASP_CACHE'] ?? join(homedir(), '.cache', 'lastgasp')): Binaries {
  return {
    k8s: join(cacheDir, `k8s-${versions.kubernetes}`, 'k8s'),
    kwok: join(cacheDir, `kwok-${versions.kwok}`, 'kwok'),
    helm: join(cacheDir, `helm-${versions.helm}`, 'helm'),
    grpcurl: join(cacheDir, `grpcurl-${versions.grpcurl}`, 'grpcurl'),
    promtool: join(cacheDir, `promtool-${versions.promtool}`, 'promtool'),
    monitoringCrds: ['servicemonitors', 'podmonitors', 'prometheusrules'].map((kind) =>
      join(cacheDir, `prometheus-operator-${versions.prometheusOperator}`, `monitoring.coreos.com_${kind}.yaml`),
    ),
  };
}

/** A file shipped beside the build script (test/cluster/<name>). */
export function clusterAsset(name: string): string {
  return join(BUILD_DIR, name);
}

/** kwok's default Stage objects (node and pod behaviour), kept by the build beside the kwok binary. */
export function kwokStagesPath(binaries: Binaries): string {
  return join(dirname(binaries.kwok), 'stages.yaml');
}

function allPresent(binaries: Binaries): boolean {
  try {
    for (const path of [binaries.k8s, binaries.kwok, binaries.helm, binaries.grpcurl, binaries.promtool]) accessSync(path, constants.X_OK);
    for (const path of binaries.monitoringCrds) accessSync(path, constants.R_OK);
    accessSync(kwokStagesPath(binaries), constants.R_OK);
    return true;
  } catch {
    return false;
  }
}

/** Runs build-binaries.sh for `target` (`all` or one component); it returns at once for what is cached. */
function runBuild(log: (line: string) => void, target = 'all'): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [join(BUILD_DIR, 'build-binaries.sh'), target], { stdio: ['ignore', 'inherit', 'pipe'] });
    const tail: string[] = [];
    createInterface({ input: child.stderr }).on('line', (line) => {
      tail.push(line);
      if (tail.length > 20) tail.shift();
      log(line);
    });
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code === 0) resolve();
      else reject(new Error(`build-binaries.sh exited with ${code ?? 'a signal'}:\n${tail.join('\n')}`));
    });
  });
}

let pending: Promise<Binaries> | undefined;

/** Paths of the cached binaries, building them first if any is missing. Shared by all callers in this process. */
export function ensureBinaries(log: (line: string) => void = () => {}): Promise<Binaries> {
  pending ??= (async () => {
    const binaries = binaryPaths(readVersions());
    if (!allPresent(binaries)) {
      log('control-plane binaries missing from the cache: building them (the first build takes several minutes)');
      await runBuild(log);
      if (!allPresent(binaries)) throw new Error(`build-binaries.sh finished but binaries are missing: ${JSON.stringify(binaries)}`);
    }
    return binaries;
  })();
  pending.catch(() => {
    pending = undefined;
  });
  return pending;
}

/**
 * grpcurl's path in the cache, building only grpcurl when it is missing (the script waits for a build
 * in progress): for tests of the gRPC API that need no control plane.
 */
export async function grpcurlBinary(log: (line: string) => void = () => {}): Promise<string> {
  await runBuild(log, 'grpcurl');
  return binaryPaths(readVersions()).grpcurl;
}

/** The real worker node's binaries (the QEMU bed's kubelet node), in the same cache. */
export interface NodeBinaries {
  kubelet: string;
  /** Directory with containerd, containerd-shim-runc-v2 and ctr. */
  containerdDir: string;
  /** Directory with the bridge, host-local and loopback CNI plugins. */
  cniDir: string;
}

/** Paths of the node binaries, building them first (build-binaries.sh node returns at once when cached). */
export async function nodeBinaries(log: (line: string) => void = () => {}): Promise<NodeBinaries> {
  await runBuild(log, 'node');
  const env = parseEnvFile(readFileSync(join(BUILD_DIR, 'versions.env'), 'utf8'));
  const cacheDir = process.env['LASTGASP_CACHE'] ?? join(homedir(), '.cache', 'lastgasp');
  const k8s = readVersions().kubernetes;
  return {
    kubelet: join(cacheDir, `k8s-${k8s}`, 'kubelet'),
    containerdDir: join(cacheDir, `containerd-${env['CONTAINERD_VERSION'] ?? ''}`),
    cniDir: join(cacheDir, `cni-plugins-${env['CNI_PLUGINS_VERSION'] ?? ''}`),
  };
}

/**
 * The CNCF distribution registry's path in the cache (REGISTRY_VERSION in versions.env), building only
 * it when missing: for tests that push images and charts to a local OCI registry.
 */
export async function registryBinary(log: (line: string) => void = () => {}): Promise<string> {
  const env = parseEnvFile(readFileSync(join(BUILD_DIR, 'versions.env'), 'utf8'));
  const version = env['REGISTRY_VERSION'];
  if (!version) throw new Error('versions.env: REGISTRY_VERSION is missing');
  await runBuild(log, 'registry');
  return join(process.env['LASTGASP_CACHE'] ?? join(homedir(), '.cache', 'lastgasp'), `registry-${version}`, 'registry');
}
