// The benchmark's collector: the test bed's collector process (@lastgasp/testbed/collector) against the
// benchmark's control plane, with NODE_OPTIONS as in the image, leading its own Lease, and never
// outliving the benchmark.
import { COLLECTOR_NODE_OPTIONS } from '@lastgasp/collector';
import { spawnNode, startCollector, type CollectorProcess, type LaunchNode } from '@lastgasp/testbed/collector';

export interface BenchCollectorOptions {
  /** `dist`: the compiled collector as it ships; `source`: collector/src through tsx (more RSS). */
  from: 'dist' | 'source';
  kubeconfigPath: string;
  /** Directory for the config and log files (`collector.json`, `collector.log`); the caller removes it. */
  dir: string;
  /** Merged over the benchmark's defaults (listeners on 127.0.0.1 port 0, own Lease). */
  config: Record<string, unknown>;
  /** For "collector started" and "became leader" together. */
  startTimeoutMs: number;
  /** Extra Node.js flags, e.g. `--cpu-prof`. */
  nodeArgs?: string[];
}

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/**
 * A plain child that is SIGKILLed when the benchmark gets SIGINT, SIGTERM or SIGHUP; the cluster's
 * teardown then runs and raises the signal again.
 */
const killedWithBenchmark: LaunchNode = (launch) => {
  const child = spawnNode(launch);
  const kill = (): void => child.killSync();
  for (const signal of SIGNALS) process.once(signal, kill);
  void child.exited.then(() => {
    for (const signal of SIGNALS) process.off(signal, kill);
  });
  return child;
};

/** Starts the collector and waits until it leads; on failure it is stopped and the error names its log's tail. */
export async function startBenchCollector(opts: BenchCollectorOptions): Promise<CollectorProcess> {
  const deadline = Date.now() + opts.startTimeoutMs;
  const collector = await startCollector({
    name: 'collector',
    dir: opts.dir,
    entry: opts.from,
    configDefaults: {
      kubeconfig: opts.kubeconfigPath,
      udpListen: '127.0.0.1:0',
      grpcListen: '127.0.0.1:0',
      httpListen: '127.0.0.1:0',
      identity: 'bench-collector',
      leaseNamespace: 'default',
      leaseName: 'lastgasp-bench',
      logLevel: 'info',
    },
    config: opts.config,
    nodeArgs: opts.nodeArgs,
    env: { NODE_OPTIONS: COLLECTOR_NODE_OPTIONS },
    launch: killedWithBenchmark,
    stopGraceMs: 15_000,
    startTimeoutMs: opts.startTimeoutMs,
  });
  try {
    await collector.waitForLog('became leader', Math.max(0, deadline - Date.now()));
    return collector;
  } catch (err) {
    await collector.stop();
    throw err;
  }
}
