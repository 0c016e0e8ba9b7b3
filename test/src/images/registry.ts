// A local OCI registry for the tests: the CNCF distribution registry (built from Go modules into the
// per-machine cache, test/cluster/build-binaries.sh), serving plain HTTP on an address the caller
// chooses (default loopback), storing into a temporary directory removed on stop. Clients mark it
// insecure per call (podman/buildah --tls-verify=false, helm --plain-http); no machine-wide
// configuration changes. Images are pushed with podman and come back as digests.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { registryBinary } from '../cluster/binaries.js';
import { logTail, startProcess, type ManagedProcess } from '../cluster/processes.js';
import { freePort } from '../testing/free-port.js';
import { waitFor } from '../testing/wait-for.js';
import { podman } from './containers.js';

export interface RegistryOptions {
  /** Address to listen on; default 127.0.0.1 (e.g. a tap's host address for a guest to pull from). */
  host?: string;
  /** Port; default a free one on `host`. */
  port?: number;
  log?: (line: string) => void;
}

export interface Registry {
  host: string;
  port: number;
  /** `host:port` (IPv6 in brackets), the prefix of every reference into this registry. */
  address: string;
  /** Where the registry keeps blobs and manifests (removed by stop()). */
  storage: string;
  logPath: string;
  pid: number;
  stop(): Promise<void>;
}

const DIGEST = /^sha256:[a-f0-9]{64}$/;

function registryConfig(listen: string, storage: string): string {
  return [
    'version: 0.1',
    'log:',
    '  level: warn',
    '  accesslog:',
    '    disabled: true',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${storage}`,
    '  delete:',
    '    enabled: true',
    'http:',
    `  addr: ${listen}`,
    '',
  ].join('\n');
}

/** Starts a registry and resolves once it answers `GET /v2/`. */
export async function startRegistry(opts: RegistryOptions = {}): Promise<Registry> {
  const log = opts.log ?? (() => undefined);
  const binary = await registryBinary(log);
  const host = opts.host ?? '127.0.0.1';
  const dir = await mkdtemp(join(tmpdir(), 'lastgasp-registry-'));
  const storage = join(dir, 'storage');
  const logPath = join(dir, 'registry.log');
  // A free port can be taken between asking and binding: then the registry exits and we pick again.
  for (let attempt = 1; ; attempt++) {
    const port = opts.port ?? (await freePort({ host }));
    const address = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
    const config = join(dir, 'config.yml');
    await writeFile(config, registryConfig(address, storage));
    const proc: ManagedProcess = startProcess({
      name: 'registry',
      command: binary,
      args: ['serve', config],
      logPath,
      // No telemetry exporters: nothing leaves the machine, and no connection attempts to collectors.
      env: { ...process.env, OTEL_TRACES_EXPORTER: 'none', OTEL_METRICS_EXPORTER: 'none', OTEL_LOGS_EXPORTER: 'none', OTEL_SDK_DISABLED: 'true' },
    });
    // Resolves 'up', or 'exited' at once when the process died (a port taken, a bad config).
    const outcome = await waitFor(
      `the registry answering on ${address}`,
      async () => {
        if (proc.exitInfo() !== undefined) return 'exited';
        const res = await fetch(`http://${address}/v2/`).catch(() => null);
        return res?.status === 200 ? 'up' : false;
      },
      { timeoutMs: 30_000, intervalMs: 100 },
    ).catch(async (err: unknown) => {
      await proc.stop();
      await rm(dir, { recursive: true, force: true });
      throw err;
    });
    if (outcome === 'exited') {
      const tail = logTail(logPath);
      if (opts.port === undefined && attempt < 3 && /address already in use/.test(tail)) continue;
      await rm(dir, { recursive: true, force: true });
      throw new Error(`registry on ${address} exited: ${JSON.stringify(proc.exitInfo())}\n${tail}`);
    }
    log(`registry: distribution listening on ${address} (pid ${proc.pid})`);
    return {
      host,
      port,
      address,
      storage,
      logPath,
      pid: proc.pid,
      async stop() {
        await proc.stop();
        await rm(dir, { recursive: true, force: true });
      },
    };
  }
}

/**
 * Pushes a local image to `target` (`<registry address>/<name>:<tag>`) over plain HTTP and returns the
 * digest of the manifest as the registry stores it (what `repository@digest` pulls).
 */
export async function pushImage(local: string, target: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'lastgasp-push-'));
  try {
    const digestFile = join(dir, 'digest');
    await podman(['push', '--quiet', '--tls-verify=false', '--digestfile', digestFile, local, `docker://${target}`], { timeoutMs: 900_000 });
    const digest = (await readFile(digestFile, 'utf8')).trim();
    if (!DIGEST.test(digest)) throw new Error(`podman push ${target}: unexpected digest ${JSON.stringify(digest)}`);
    return digest;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The digest the registry serves for `name:reference` (manifest HEAD), or null when it has none. */
export async function manifestDigest(registry: Pick<Registry, 'address'>, name: string, reference: string): Promise<string | null> {
  const res = await fetch(`http://${registry.address}/v2/${name}/manifests/${reference}`, {
    method: 'HEAD',
    headers: {
      accept: [
        'application/vnd.oci.image.manifest.v1+json',
        'application/vnd.oci.image.index.v1+json',
        'application/vnd.docker.distribution.manifest.v2+json',
        'application/vnd.docker.distribution.manifest.list.v2+json',
      ].join(', '),
    },
  });
  if (res.status === 404) return null;
  if (!res.ok) throw new Error(`registry ${registry.address}: HEAD ${name}:${reference} answered ${res.status}`);
  return res.headers.get('docker-content-digest');
}
