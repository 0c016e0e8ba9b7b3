// Starts a real control plane on loopback: etcd → kube-apiserver → (controller-manager, scheduler, kwok).
// Every port is picked at random, every file lives in one temp dir, so suites can run side by side.
import { rmSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiextensionsV1Api, CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import type { V1BoundObjectReference } from '@kubernetes/client-node';
import { createIfMissing } from './api-errors.js';
import { applyManifest } from './apply-manifest.js';
import { clusterAsset, ensureBinaries, kwokStagesPath } from './binaries.js';
import type { Binaries } from './binaries.js';
import { apiServerArgs, controllerManagerArgs, egressSelectorConfig, etcdArgs, KUBELET_CLIENT, kwokArgs, kwokConfig, schedulerArgs } from './components.js';
import { loadKubeConfig, renderKubeconfig, writeKubeconfig } from './kubeconfig.js';
import { ensureNamespace } from './objects.js';
import { createPki, issueClientCertificate } from './pki.js';
import type { ClusterPki } from './pki.js';
import { freePorts } from '../testing/free-port.js';
import { logTail, startProcess } from './processes.js';
import type { ManagedProcess, ProcessSpec } from './processes.js';
import { apiServerReady, etcdHealthy, probe } from './readiness.js';
import { registerTeardown } from './teardown-registry.js';
import type { Cluster, ClusterOptions } from './types.js';
import { waitFor } from '../testing/wait-for.js';

/** Generous: the machine may be busy with builds and other suites. */
const ETCD_READY_TIMEOUT_MS = 60_000;
const APISERVER_READY_TIMEOUT_MS = 120_000;
const CRD_ESTABLISHED_TIMEOUT_MS = 60_000;
/** Attempts at binding freshly picked ports before giving up (another process may grab one first). */
const PORT_ATTEMPTS = 3;
/** Lifetime of ServiceAccount tokens handed out, in seconds. */
const TOKEN_SECONDS = 24 * 3600;

class ComponentExitedError extends Error {
  readonly code = 'COMPONENT_EXITED';
  constructor(readonly component: ManagedProcess) {
    const info = component.exitInfo();
    super(
      `${component.name} exited during start-up (code ${String(info?.code)}, signal ${String(info?.signal)}); ` +
        `last lines of ${component.logPath}:\n${logTail(component.logPath)}`,
    );
    this.name = 'ComponentExitedError';
  }
  get portTaken(): boolean {
    return /address already in use/i.test(logTail(this.component.logPath, 200));
  }
}

/** Waits until `check` passes; throws ComponentExitedError at once if the process dies meanwhile. */
async function awaitReady(p: ManagedProcess, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const outcome = await waitFor(
    `${p.name} to become ready`,
    async () => {
      if (p.exitInfo()) return 'exited' as const;
      return (await check()) ? ('ready' as const) : false;
    },
    { timeoutMs, intervalMs: 100, describe: () => Promise.resolve(`last lines of ${p.logPath}:\n${logTail(p.logPath)}`) },
  );
  if (outcome === 'exited') throw new ComponentExitedError(p);
}

interface Layout {
  dir: string;
  logs: string;
  pki: ClusterPki;
  binaries: Binaries;
}

class TestCluster implements Cluster {
  server = '';
  kubeconfigPath: string;
  /** Replaced by the admin kubeconfig once the apiserver is ready. */
  kubeConfig = new KubeConfig();
  readonly dir: string;
  readonly binaries: Binaries;
  private readonly processes = new Map<string, ManagedProcess>();
  /** Components we are stopping on purpose; their exit is no news. */
  private readonly stoppingOnPurpose = new Set<ManagedProcess>();
  private apiServerSpec: ProcessSpec | undefined;
  private stopped: Promise<void> | undefined;
  private readonly unregister: () => void;

  constructor(
    private readonly layout: Layout,
    private readonly opts: ClusterOptions,
  ) {
    this.dir = layout.dir;
    this.binaries = layout.binaries;
    this.kubeconfigPath = join(layout.dir, 'admin.kubeconfig');
    this.unregister = registerTeardown({
      name: `test cluster in ${layout.dir}`,
      run: () => this.stop(),
      runSync: () => {
        for (const p of this.processes.values()) p.killSync();
        rmSync(layout.dir, { recursive: true, force: true });
      },
    });
  }

  private log(line: string): void {
    this.opts.log?.(line);
  }

  private spawn(spec: ProcessSpec): ManagedProcess {
    const p = startProcess(spec);
    this.processes.set(spec.name, p);
    void p.exited.then((info) => {
      if (this.stoppingOnPurpose.has(p) || this.stopped) return;
      // An unplanned exit makes later test failures puzzling; say so where a person will see it.
      process.stderr.write(
        `[test cluster] ${p.name} (pid ${p.pid}) exited unexpectedly: code ${String(info.code)}, signal ${String(info.signal)}; ` +
          `log ${p.logPath}:\n${logTail(p.logPath)}\n`,
      );
    });
    return p;
  }

  private component(name: string, args: string[]): ProcessSpec {
    return { name, command: this.binaries.k8s, args, logPath: join(this.layout.logs, `${name}.log`) };
  }

  private async stopProcess(name: string): Promise<void> {
    const p = this.processes.get(name);
    if (!p) return;
    this.stoppingOnPurpose.add(p);
    await p.stop();
    this.processes.delete(name);
  }

  /** Starts a component on fresh ports, again on new ports if one was taken meanwhile. */
  private async startOnFreePorts(
    portCount: number,
    build: (ports: number[]) => ProcessSpec,
    ready: (ports: number[]) => Promise<boolean>,
    timeoutMs: number,
  ): Promise<number[]> {
    for (let attempt = 1; ; attempt++) {
      const ports = await freePorts(portCount);
      const p = this.spawn(build(ports));
      try {
        await awaitReady(p, () => ready(ports), timeoutMs);
        return ports;
      } catch (err) {
        if (!(err instanceof ComponentExitedError && err.portTaken && attempt < PORT_ATTEMPTS)) throw err;
        this.log(`${p.name}: a port was taken meanwhile, retrying on others`);
      }
    }
  }

  private async startEtcd(): Promise<number> {
    const dataDir = join(this.dir, 'etcd');
    const [clientPort] = await this.startOnFreePorts(
      2,
      ([client = 0, peer = 0]) => {
        rmSync(dataDir, { recursive: true, force: true });
        return this.component('etcd', etcdArgs({ dataDir, clientPort: client, peerPort: peer }));
      },
      async ([client]) => etcdHealthy(await probe(`http://127.0.0.1:${client}/health`)),
      ETCD_READY_TIMEOUT_MS,
    );
    if (clientPort === undefined) throw new Error('etcd started without a client port');
    return clientPort;
  }

  private apiServerReady = async (): Promise<boolean> => {
    const admin = this.layout.pki.clients['admin'];
    if (!admin) throw new Error('no admin client certificate');
    const tls = { caPath: this.layout.pki.ca.certPath, ...admin };
    return apiServerReady(await probe(`${this.server}/readyz`, tls));
  };

  private async startFirstApiServer(etcdClientPort: number): Promise<void> {
    const certDir = join(this.dir, 'apiserver-certs');
    let egressSelectorConfigPath: string | undefined;
    if (this.opts.nodeEgressSocket !== undefined) {
      egressSelectorConfigPath = join(this.dir, 'egress-selector.yaml');
      await writeFile(egressSelectorConfigPath, egressSelectorConfig(this.opts.nodeEgressSocket));
    }
    await this.startOnFreePorts(
      1,
      ([securePort = 0]) => {
        this.server = `https://127.0.0.1:${securePort}`;
        this.apiServerSpec = this.component(
          'kube-apiserver',
          apiServerArgs({ etcdClientPort, securePort, certDir, pki: this.layout.pki, egressSelectorConfigPath }),
        );
        return this.apiServerSpec;
      },
      this.apiServerReady,
      APISERVER_READY_TIMEOUT_MS,
    );
  }

  private async writeClientKubeconfig(name: string): Promise<string> {
    const pair = this.layout.pki.clients[name];
    if (!pair) throw new Error(`no client certificate named ${name}`);
    return writeKubeconfig(join(this.dir, `${name}.kubeconfig`), {
      server: this.server,
      caPath: this.layout.pki.ca.certPath,
      user: name,
      credentials: pair,
    });
  }

  private async startControllers(): Promise<void> {
    if (this.opts.controllerManager ?? true) {
      const kubeconfigPath = await this.writeClientKubeconfig('controller-manager');
      const args = controllerManagerArgs({ kubeconfigPath, pki: this.layout.pki, extraArgs: this.opts.controllerManagerArgs ?? [] });
      this.spawn(this.component('kube-controller-manager', args));
    }
    if (this.opts.scheduler ?? true) {
      this.spawn(this.component('kube-scheduler', schedulerArgs(await this.writeClientKubeconfig('scheduler'))));
    }
    if (this.opts.kwok ?? true) {
      const configPath = join(this.dir, 'kwok.yaml');
      const [upstream, own] = await Promise.all([
        readFile(kwokStagesPath(this.binaries), 'utf8'),
        readFile(clusterAsset('kwok-node-initialize.yaml'), 'utf8'),
      ]);
      await writeFile(configPath, kwokConfig(upstream, own, this.opts.kwokStages));
      this.spawn({
        name: 'kwok',
        command: this.binaries.kwok,
        args: kwokArgs({ kubeconfigPath: await this.writeClientKubeconfig('kwok'), configPath }),
        logPath: join(this.layout.logs, 'kwok.log'),
      });
    }
  }

  /** Throws if a component has already died; cheap, for the end of start-up. */
  private assertAllRunning(): void {
    for (const p of this.processes.values()) {
      if (p.exitInfo()) throw new ComponentExitedError(p);
    }
  }

  async start(): Promise<void> {
    const began = Date.now();
    const etcdPort = await this.startEtcd();
    this.log(`etcd ready on 127.0.0.1:${etcdPort} (${((Date.now() - began) / 1000).toFixed(1)} s)`);
    await this.startFirstApiServer(etcdPort);
    await this.writeClientKubeconfig('admin');
    this.kubeConfig = loadKubeConfig(this.kubeconfigPath);
    this.log(`kube-apiserver ready at ${this.server} (${((Date.now() - began) / 1000).toFixed(1)} s after start)`);
    await this.startControllers();
    // Pods need their namespace's `default` ServiceAccount; creating it here is quicker than waiting for the controller.
    await ensureNamespace(this, 'default');
    this.assertAllRunning();
    this.log(`control plane up (${((Date.now() - began) / 1000).toFixed(1)} s); files in ${this.dir}`);
  }

  async stopApiServer(): Promise<void> {
    await this.stopProcess('kube-apiserver');
  }

  async startApiServer(): Promise<void> {
    if (!this.apiServerSpec) throw new Error('the cluster never started an apiserver');
    if (this.processes.has('kube-apiserver')) return;
    const p = this.spawn(this.apiServerSpec);
    await awaitReady(p, this.apiServerReady, APISERVER_READY_TIMEOUT_MS);
  }

  async installCrds(paths: string[]): Promise<void> {
    const names: string[] = [];
    for (const path of paths) {
      for (const object of await applyManifest(this, await readFile(path, 'utf8'))) {
        if (object.kind === 'CustomResourceDefinition' && object.metadata?.name) names.push(object.metadata.name);
      }
    }
    const api = this.kubeConfig.makeApiClient(ApiextensionsV1Api);
    await Promise.all(
      names.map((name) =>
        waitFor(
          `CRD ${name} to be Established`,
          async () => {
            const crd = await api.readCustomResourceDefinition({ name });
            const established = crd.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True');
            if (established) return true;
            throw new Error(`conditions ${JSON.stringify(crd.status?.conditions ?? [])}`);
          },
          { timeoutMs: CRD_ESTABLISHED_TIMEOUT_MS },
        ),
      ),
    );
  }

  async nodeKubeconfig(nodeName: string, server?: string): Promise<string> {
    const pair = await issueClientCertificate(this.layout.pki.ca, join(this.dir, 'pki'), `node-${nodeName}`, {
      user: `system:node:${nodeName}`,
      groups: ['system:nodes'],
    });
    return renderKubeconfig({ server: server ?? this.server, caPath: this.layout.pki.ca.certPath, user: `system:node:${nodeName}`, credentials: pair });
  }

  caPem(): Promise<string> {
    return readFile(this.layout.pki.ca.certPath, 'utf8');
  }

  async serviceAccountKubeconfig(namespace: string, name: string, opts: { boundPod?: string } = {}): Promise<string> {
    await ensureNamespace(this, namespace);
    const core = this.kubeConfig.makeApiClient(CoreV1Api);
    await createIfMissing(() => core.createNamespacedServiceAccount({ namespace, body: { metadata: { name, namespace } } }));
    let boundObjectRef: V1BoundObjectReference | undefined;
    if (opts.boundPod !== undefined) {
      const pod = await core.readNamespacedPod({ namespace, name: opts.boundPod });
      boundObjectRef = { apiVersion: 'v1', kind: 'Pod', name: opts.boundPod, uid: pod.metadata?.uid };
    }
    const request = await core.createNamespacedServiceAccountToken({
      name,
      namespace,
      body: { spec: { audiences: [], expirationSeconds: TOKEN_SECONDS, boundObjectRef } },
    });
    const token = request.status?.token;
    if (!token) throw new Error(`TokenRequest for ${namespace}/${name} returned no token`);
    const file = opts.boundPod === undefined ? `sa-${namespace}-${name}.kubeconfig` : `sa-${namespace}-${name}-pod-${opts.boundPod}.kubeconfig`;
    return writeKubeconfig(join(this.dir, file), {
      server: this.server,
      caPath: this.layout.pki.ca.certPath,
      user: `system:serviceaccount:${namespace}:${name}`,
      credentials: { token },
    });
  }

  stop(): Promise<void> {
    this.stopped ??= (async () => {
      // Reverse start order: clients of the apiserver, then the apiserver, then its storage.
      await Promise.all(['kwok', 'kube-scheduler', 'kube-controller-manager'].map((name) => this.stopProcess(name)));
      await this.stopProcess('kube-apiserver');
      await this.stopProcess('etcd');
      await rm(this.dir, { recursive: true, force: true, maxRetries: 3 });
      this.unregister();
      this.log(`control plane stopped; removed ${this.dir}`);
    })();
    return this.stopped;
  }
}

/** Client certificates: who each component is to the apiserver. */
const CLIENTS = {
  admin: { user: 'admin', groups: ['system:masters'] },
  'controller-manager': { user: 'system:kube-controller-manager', groups: [] },
  scheduler: { user: 'system:kube-scheduler', groups: [] },
  kwok: { user: 'lastgasp:kwok', groups: ['system:masters'] },
  // The apiserver to a real kubelet (port-forward, logs); that kubelet authorises every authenticated client.
  [KUBELET_CLIENT]: { user: 'kube-apiserver-kubelet-client', groups: [] },
};

export async function startCluster(opts: ClusterOptions = {}): Promise<Cluster> {
  const began = Date.now();
  const binaries = await ensureBinaries(opts.log);
  const dir = await mkdtemp(join(tmpdir(), 'lastgasp-cluster-'));
  const logs = join(dir, 'logs');
  const pkiDir = join(dir, 'pki');
  await Promise.all([mkdir(logs), mkdir(pkiDir)]);
  let cluster: TestCluster | undefined;
  try {
    const pki = await createPki(pkiDir, CLIENTS, opts.servingIps);
    cluster = new TestCluster({ dir, logs, pki, binaries }, opts);
    await cluster.start();
    opts.log?.(`warm start to a ready control plane: ${((Date.now() - began) / 1000).toFixed(1)} s`);
    return cluster;
  } catch (err) {
    if (cluster) await cluster.stop();
    else await rm(dir, { recursive: true, force: true });
    throw err;
  }
}
