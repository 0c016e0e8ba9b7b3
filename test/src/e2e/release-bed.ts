// What a user installs, made from this checkout and published the way a release is: the agent and
// collector images (built from their Dockerfiles) and the node's pause and busybox images pushed to the
// test's OCI registry, the chart packaged and pushed there as oci://. The registry listens on the host's
// loopback; a forwarder makes it reachable in the test's network namespace (and so from the guest) at
// <host-side TAP address>:5000. Images are referred to by digest.
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { VERSION } from '@lastgasp/proto/version';
import { buildImage, ensureBaseImage, podman, pushImage, startRegistry, type Registry } from '@lastgasp/testbed/images';
import { startApiBridge, type ApiBridge } from './api-bridge.js';
import { ensureNodeImages } from './node-images.js';
import { REPO_ROOT } from './paths.js';
import { HOST_ADDRESSES, type World } from './world.js';

const run = promisify(execFile);
/** The registry's port inside the namespace. */
export const GUEST_REGISTRY_PORT = 5000;
const CHART_DIR = join(REPO_ROOT, 'deploy', 'helm', 'lastgasp');

export interface ImageRef {
  repository: string;
  digest: string;
}

export interface ReleaseBed {
  registry: Registry;
  /** The registry as the guest reaches it. */
  guestRegistry: string;
  agent: ImageRef;
  collector: ImageRef;
  /** Full references (by digest) of the node's own images. */
  pause: string;
  busybox: string;
  /** The chart in the registry, for helm install/upgrade. */
  chart: string;
  chartVersion: string;
  /** The commit the images were built from (their REVISION build argument). */
  revision: string;
  /** Runs helm on the host against the cluster (admin), its state in a directory of the bed. */
  helm(args: string[], timeoutMs?: number): Promise<string>;
  /** Pushes a variant of the agent image (one more label: a new digest, the same layers). */
  pushAgentVariant(label: string): Promise<ImageRef>;
  /** Pulls the image by digest from the registry into the host's podman storage; the reference to run. */
  pullToHost(ref: ImageRef): Promise<string>;
  stop(): Promise<void>;
}

function revision(): Promise<string> {
  return run('git', ['rev-parse', 'HEAD'], { cwd: REPO_ROOT }).then(
    (r) => r.stdout.trim(),
    () => 'unknown',
  );
}

export async function startReleaseBed(world: World, log: (line: string) => void): Promise<ReleaseBed> {
  const dir = await mkdtemp(join(world.dir, 'release-'));
  const helmHome = join(dir, 'helm');
  await mkdir(helmHome);
  const helmEnv = {
    PATH: process.env['PATH'],
    HOME: helmHome,
    HELM_CACHE_HOME: join(helmHome, 'cache'),
    HELM_CONFIG_HOME: join(helmHome, 'config'),
    HELM_DATA_HOME: join(helmHome, 'data'),
    KUBECONFIG: world.cluster.kubeconfigPath,
  };
  const helm = async (args: string[], timeoutMs = 900_000): Promise<string> => {
    try {
      return (await run(world.cluster.binaries.helm, args, { env: helmEnv, timeout: timeoutMs, maxBuffer: 64 << 20 })).stdout;
    } catch (err) {
      const e = err as { stderr?: string; message?: string };
      throw new Error(`helm ${args.join(' ')}: ${e.stderr ?? e.message ?? String(err)}`, { cause: err });
    }
  };
  const registry = await startRegistry({ log });
  let bridge: ApiBridge | null = null;
  try {
    bridge = await startApiBridge({ server: `http://${registry.address}`, netns: world.vm.network, dir, port: GUEST_REGISTRY_PORT });
    const guestRegistry = `${HOST_ADDRESSES[0]}:${GUEST_REGISTRY_PORT}`;
    const rev = await revision();
    await ensureBaseImage(log);
    const push = async (local: string, name: string): Promise<ImageRef> => {
      const t = Date.now();
      const digest = await pushImage(local, `${registry.address}/${name}:e2e`);
      log(`release: pushed ${name}@${digest} in ${Date.now() - t} ms`);
      return { repository: `${guestRegistry}/${name}`, digest };
    };
    const refs: Partial<Record<'agent' | 'collector', ImageRef>> = {};
    for (const name of ['agent', 'collector'] as const) {
      const t = Date.now();
      await buildImage({ dockerfile: `deploy/images/${name}.Dockerfile`, tag: `localhost/lastgasp-${name}:e2e`, buildArgs: { VERSION, REVISION: rev } });
      log(`release: lastgasp-${name} image built in ${Date.now() - t} ms`);
      refs[name] = await push(`localhost/lastgasp-${name}:e2e`, `lastgasp/lastgasp-${name}`);
    }
    const nodeImages = await ensureNodeImages(log);
    const nodeRef = async (archive: string, local: string, name: string): Promise<string> => {
      await podman(['load', '-q', '-i', archive]);
      const ref = await push(local, name);
      return `${ref.repository}@${ref.digest}`;
    };
    const pause = await nodeRef(nodeImages.pause.archive, nodeImages.pause.ref, 'lastgasp-test/pause');
    const busybox = await nodeRef(nodeImages.busybox.archive, nodeImages.busybox.ref, 'lastgasp-test/busybox');
    const packaged = join(dir, 'chart');
    await mkdir(packaged);
    await helm(['package', CHART_DIR, '--destination', packaged]);
    const [tgz] = await readdir(packaged);
    if (tgz === undefined) throw new Error('helm package wrote nothing');
    await helm(['push', join(packaged, tgz), `oci://${registry.address}/charts`, '--plain-http']);
    const chart = `oci://${registry.address}/charts/lastgasp`;
    log(`release: chart ${tgz} pushed to ${chart}`);
    let variants = 0;
    const agent = refs.agent;
    const collector = refs.collector;
    if (agent === undefined || collector === undefined) throw new Error('images not built');
    const openBridge = bridge;
    return {
      registry,
      guestRegistry,
      agent,
      collector,
      pause,
      busybox,
      chart,
      chartVersion: VERSION,
      revision: rev,
      helm,
      async pushAgentVariant(label) {
        variants += 1;
        const container = (await run('buildah', ['from', 'localhost/lastgasp-agent:e2e'])).stdout.trim();
        const tag = `localhost/lastgasp-agent:e2e-${variants}`;
        await run('buildah', ['config', '--label', `dev.lastgasp.test-variant=${label}`, container]);
        await run('buildah', ['commit', '--rm', container, tag]);
        return push(tag, 'lastgasp/lastgasp-agent');
      },
      async pullToHost(ref) {
        if (!ref.repository.startsWith(`${guestRegistry}/`)) throw new Error(`${ref.repository} is not in the test registry`);
        const hostRef = `${registry.address}/${ref.repository.slice(guestRegistry.length + 1)}@${ref.digest}`;
        const t = Date.now();
        await podman(['pull', '-q', '--tls-verify=false', hostRef], { timeoutMs: 300_000 });
        log(`release: pulled ${hostRef} to the host in ${Date.now() - t} ms`);
        return hostRef;
      },
      async stop() {
        await openBridge.close();
        await registry.stop();
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await bridge?.close();
    await registry.stop();
    throw err;
  }
}
