// One collector replica of the end-to-end world: the test bed's collector process (../collector/) from
// this checkout's sources, started inside the test's network namespace: netconsole on a host-side TAP
// address, gRPC and HTTP on the namespace's loopback.
// Its pino JSON log is the source of truth for what it saw and when.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Netns } from '@lastgasp/testbed/kernel';
import { startCollector, type CollectorProcess } from '../collector/index.js';
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
}

/** Starts the replica in the namespace (NODE_OPTIONS cleared there) and waits for "collector started". */
export async function startCollectorInNetns(o: CollectorOptions): Promise<CollectorProcess> {
  const kubeconfigPath = join(o.dir, `${o.identity}.kubeconfig`);
  await writeFile(kubeconfigPath, o.kubeconfigText, { mode: 0o600 });
  return startCollector({
    name: o.identity,
    dir: o.dir,
    entry: 'source',
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
    launch: (l) => startNodeInNetns(o.netns, l.name, l.args, l.logPath),
    startTimeoutMs: 120_000,
  });
}
