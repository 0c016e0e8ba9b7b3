// One collector replica of the end-to-end world, inside the test's network namespace: netconsole on a
// host-side TAP address, gRPC and HTTP on the namespace's loopback. Either the test bed's collector
// process (../collector/) from this checkout's sources, or the collector image as users run it (podman,
// the image's own entry point and user, the config and kubeconfig mounted read-only).
// Its pino JSON log is the source of truth for what it saw and when.
import { chown, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Netns } from '@lastgasp/testbed/kernel';
import { startCollector, type CollectorProcess } from '../collector/index.js';
import { startContainerInNetns } from './netns-container.js';
import { startNodeInNetns } from './netns-process.js';

export const NETCONSOLE_PORT = 6666;

export interface CollectorOptions {
  netns: Netns;
  /** Replica name: identity and file names. */
  identity: string;
  /** Host-side TAP address the netconsole listener binds. */
  udpHost: string;
  grpcPort: number;
  httpPort: number;
  /** Written next to the log; must reach the apiserver from inside the namespace. */
  kubeconfigText: string;
  leaseNamespace: string;
  dir: string;
  /** Merged over the scenario defaults (immediate mode, storm limit off for a one-node cluster, short Lease). */
  config?: Record<string, unknown>;
  /** Run this local collector image (a podman reference) instead of the sources. */
  image?: string;
}

/** The collector image's user (deploy/images/collector.Dockerfile). */
const IMAGE_UID = 65532;

/** The container name of an image replica (see netns-container.ts). */
export function replicaContainer(identity: string): string {
  return `lastgasp-${identity}`;
}

/** Starts the replica in the namespace (NODE_OPTIONS cleared there) and waits for "collector started". */
export async function startCollectorInNetns(o: CollectorOptions): Promise<CollectorProcess> {
  const image = o.image;
  // An image replica reads its files as the image's user: a directory of its own, owned by that user.
  const dir = image === undefined ? o.dir : join(o.dir, o.identity);
  const kubeconfigPath = join(dir, `${o.identity}.kubeconfig`);
  if (image !== undefined) await mkdir(dir, { mode: 0o700 });
  await writeFile(kubeconfigPath, o.kubeconfigText, { mode: 0o600 });
  if (image !== undefined) for (const path of [dir, kubeconfigPath]) await chown(path, IMAGE_UID, IMAGE_UID);
  return startCollector({
    name: o.identity,
    dir,
    entry: image === undefined ? 'source' : 'image',
    configDefaults: {
      kubeconfig: kubeconfigPath,
      udpListen: `${o.udpHost}:${NETCONSOLE_PORT}`,
      grpcListen: `127.0.0.1:${o.grpcPort}`,
      httpListen: `127.0.0.1:${o.httpPort}`,
      identity: o.identity,
      leaseNamespace: o.leaseNamespace,
      logLevel: 'info',
      // One guest Node is 100 % of the ready Nodes; the default 30 % limit would hold every incident.
      policy: { mode: 'immediate', storm: { maxNodesPerWindow: 5, windowSeconds: 600, maxPercentOfReadyNodes: 100 } },
      // A dead leader's Lease expires in 6 s instead of 15 s: failover within a test's patience.
      leaderElection: { leaseDurationSeconds: 6, renewDeadlineSeconds: 4, retryPeriodSeconds: 1 },
    },
    config: o.config,
    launch: (l) =>
      image === undefined
        ? startNodeInNetns(o.netns, l.name, l.args, l.logPath)
        : startContainerInNetns(o.netns, { name: replicaContainer(o.identity), image, args: l.args, readOnlyDirs: [dir], logPath: l.logPath }),
    startTimeoutMs: 120_000,
  });
}
