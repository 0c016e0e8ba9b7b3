// Benchmark: how fast the agent re-points netconsole when the collector's EndpointSlice changes, and
// what it costs while idle. Against a real control plane; the agent runs as its own process (built
// output), with an ordinary temporary directory standing in for configfs.
//
//   npm run bench:repoint [-- --changes 50 --idle-seconds 60]
//
// Re-point latency: from just before the API write of a changed EndpointSlice to the moment the
// temporary configfs holds an enabled target with the new address (polled every 5 ms). The old
// target's removal is awaited before the next change so samples are independent.
// Idle: with two endpoints configured and nothing changing, CPU % of the agent process over the
// window (user + system from /proc/<pid>/stat) and its RSS at the end.
// EndpointSlices may not hold loopback addresses, so the collector endpoints are this host's own
// addresses (routes of type local: `ip route get` answers without any neighbour lookup and no packet
// leaves); each change moves the endpoint to another port, which re-points the target just the same.
// Last line: {"p50Ms","p99Ms","idleCpuPct","rssMiB"}. Targets: p99 ≤ 2000, idle CPU ≤ 0.5, RSS ≤ 80.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { CoreV1Api, DiscoveryV1Api, type V1EndpointSlice } from '@kubernetes/client-node';
import { createNode, ensureNamespace, startCluster, type Cluster } from '@lastgasp/testbed/cluster';
import { waitFor } from '@lastgasp/testbed/testing';
import { processCpuSeconds } from '../ingest/process-cpu.js';
import { processMemory } from '../ingest/process-memory.js';

const NS = 'lastgasp';
const SERVICE = 'lastgasp-collector';
const SLICE = 'lastgasp-collector-bench';
const NODE = 'bench-node';
const REPO = new URL('../../', import.meta.url).pathname;

function log(line: string): void {
  process.stderr.write(`[bench:repoint] ${line}\n`);
}

/** This host's first non-loopback address of the family (IPv6: not link-local), or null. */
function hostAddress(family: 'IPv4' | 'IPv6'): string | null {
  for (const addresses of Object.values(networkInterfaces())) {
    for (const a of addresses ?? []) {
      if (a.family === family && !a.internal && !a.address.startsWith('fe80:')) return a.address;
    }
  }
  return null;
}

function sliceBody(name: string, addressType: 'IPv4' | 'IPv6', address: string, port: number): V1EndpointSlice {
  return {
    metadata: { name, namespace: NS, labels: { 'kubernetes.io/service-name': SERVICE, 'endpointslice.kubernetes.io/managed-by': 'lastgasp-bench' } },
    addressType,
    ports: [{ name: 'netconsole', port, protocol: 'UDP' }],
    endpoints: [{ addresses: [address], conditions: { ready: true } }],
  };
}

const key = (ip: string, port: string | number) => (ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`);

async function enabledRemotes(dir: string): Promise<string[]> {
  const remotes: string[] = [];
  for (const name of await readdir(dir).catch(() => [])) {
    const enabled = await readFile(join(dir, name, 'enabled'), 'utf8').catch(() => '');
    if (enabled.trim() !== '1') continue;
    const ip = (await readFile(join(dir, name, 'remote_ip'), 'utf8').catch(() => '')).trim();
    const port = (await readFile(join(dir, name, 'remote_port'), 'utf8').catch(() => '')).trim();
    remotes.push(key(ip, port));
  }
  return remotes.sort();
}

/** When configfs first satisfies `done` (performance.now(), ms), polled every 5 ms. */
function configfsReflects(dir: string, done: (remotes: string[]) => boolean, timeoutMs: number): Promise<number> {
  return waitFor('configfs to change', async () => (done(await enabledRemotes(dir)) ? performance.now() : false), {
    timeoutMs,
    intervalMs: 5,
    describe: async () => JSON.stringify(await enabledRemotes(dir)),
  });
}

function percentile(sorted: number[], p: number): number {
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, index)] ?? Number.NaN;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { changes: { type: 'string', default: '50' }, 'idle-seconds': { type: 'string', default: '60' } } });
  const changes = Number(values.changes);
  const idleSeconds = Number(values['idle-seconds']);
  log('building the agent (tsc -p agent)');
  const built = spawnSync('npx', ['tsc', '-p', 'agent/tsconfig.json'], { cwd: REPO, stdio: 'inherit' });
  if (built.status !== 0) throw new Error('tsc -p agent failed');

  const v4 = hostAddress('IPv4');
  if (v4 === null) throw new Error('this host has no non-loopback IPv4 address to use as a collector endpoint');
  const v6 = hostAddress('IPv6');
  let cluster: Cluster | null = null;
  let agent: ChildProcess | null = null;
  const work = await mkdtemp(join(tmpdir(), 'lastgasp-bench-repoint-'));
  try {
    log('starting the control plane');
    cluster = await startCluster({ kwok: false, scheduler: false, controllerManager: false, log });
    const c = cluster;
    await ensureNamespace(c, NS);
    await c.kubeConfig.makeApiClient(CoreV1Api).createNamespacedService({
      namespace: NS,
      body: { metadata: { name: SERVICE }, spec: { clusterIP: 'None', ports: [{ name: 'netconsole', port: 6666, protocol: 'UDP' }] } },
    });
    const discovery = c.kubeConfig.makeApiClient(DiscoveryV1Api);
    await discovery.createNamespacedEndpointSlice({ namespace: NS, body: sliceBody(SLICE, 'IPv4', v4, 7000) });
    await createNode(c, NODE, { kwok: false });

    const dir = join(work, 'configfs', 'netconsole');
    await mkdir(dir, { recursive: true });
    await writeFile(join(work, 'printk'), '7\t4\t1\t7\n');
    const args = [
      join(REPO, 'agent/dist/main.js'),
      `--kubeconfig=${c.kubeconfigPath}`,
      `--node-name=${NODE}`,
      `--collector-namespace=${NS}`,
      `--collector-service=${SERVICE}`,
      `--configfs-root=${join(work, 'configfs')}`,
      '--http-listen=127.0.0.1:0',
      `--kmsg-path=${join(work, 'kmsg')}`,
      `--printk-path=${join(work, 'printk')}`,
      '--log-level=warn',
    ];
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'inherit'] });
    agent = child;
    const pid = child.pid;
    if (pid === undefined) throw new Error('agent did not start');
    log(`agent pid ${pid}; waiting for its first target`);
    await configfsReflects(dir, (r) => r.join() === key(v4, 7000), 120_000);

    const samples: number[] = [];
    for (let i = 1; i <= changes; i += 1) {
      const port = 7000 + i;
      const address = key(v4, port);
      const started = performance.now();
      await discovery.replaceNamespacedEndpointSlice({ name: SLICE, namespace: NS, body: sliceBody(SLICE, 'IPv4', v4, port) });
      const reflected = await configfsReflects(dir, (r) => r.includes(address), 30_000);
      samples.push(reflected - started);
      await configfsReflects(dir, (r) => r.join() === address, 30_000);
    }
    samples.sort((a, b) => a - b);
    log(`re-point ms over ${samples.length}: min ${samples[0]?.toFixed(1)} p50 ${percentile(samples, 50).toFixed(1)} p99 ${percentile(samples, 99).toFixed(1)} max ${samples.at(-1)?.toFixed(1)}`);

    // Two endpoints for the idle phase: the IPv6 address when the host has one, else a second port.
    const second = v6 === null ? sliceBody(`${SLICE}-2`, 'IPv4', v4, 6667) : sliceBody(`${SLICE}-2`, 'IPv6', v6, 6666);
    await discovery.replaceNamespacedEndpointSlice({ name: SLICE, namespace: NS, body: sliceBody(SLICE, 'IPv4', v4, 6666) });
    await discovery.createNamespacedEndpointSlice({ namespace: NS, body: second });
    const idleKeys = [key(v4, 6666), v6 === null ? key(v4, 6667) : key(v6, 6666)].sort();
    await configfsReflects(dir, (r) => r.join() === idleKeys.join(), 30_000);
    await waitFor('agent settled (status written)', async () => {
      const node = await c.kubeConfig.makeApiClient(CoreV1Api).readNode({ name: NODE });
      return node.status?.conditions?.find((x) => x.type === 'LastGaspReady')?.message?.includes(idleKeys[1] ?? '') ?? false;
    }, { timeoutMs: 30_000 });
    log(`idle for ${idleSeconds} s with two endpoints: ${idleKeys.join(', ')}`);
    const cpuBefore = await processCpuSeconds(pid);
    const wallBefore = performance.now();
    await new Promise((resolve) => setTimeout(resolve, idleSeconds * 1000));
    const cpuAfter = await processCpuSeconds(pid);
    const wallSeconds = (performance.now() - wallBefore) / 1000;
    const memory = await processMemory(pid);
    const result = {
      p50Ms: Number(percentile(samples, 50).toFixed(1)),
      p99Ms: Number(percentile(samples, 99).toFixed(1)),
      idleCpuPct: Number((((cpuAfter - cpuBefore) / wallSeconds) * 100).toFixed(3)),
      rssMiB: Number((memory.rssKiB / 1024).toFixed(1)),
    };
    log(`targets: p99 ≤ 2000 ms, idle CPU ≤ 0.5 %, RSS ≤ 80 MiB (peak RSS ${(memory.peakRssKiB / 1024).toFixed(1)} MiB)`);
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } finally {
    if (agent?.pid !== undefined && agent.exitCode === null) {
      const exited = new Promise((resolve) => agent?.once('exit', resolve));
      agent.kill('SIGTERM');
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 10_000))]);
      if (agent.exitCode === null) agent.kill('SIGKILL');
    }
    await cluster?.stop();
    await rm(work, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  log(err instanceof Error ? (err.stack ?? err.message) : String(err));
  process.exitCode = 1;
});
