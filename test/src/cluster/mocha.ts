// One cluster per test file: started in a mocha `before` hook, stopped in `after`.
import { startCluster } from './start-cluster.js';
import type { Cluster, ClusterOptions } from './types.js';

/** Covers a first-time build of the binaries on a slow machine; a warm start takes seconds. */
const START_TIMEOUT_MS = 30 * 60_000;
const STOP_TIMEOUT_MS = 60_000;

/**
 * Registers before/after hooks in the current mocha scope and returns an accessor for the cluster,
 * valid inside tests and later hooks.
 */
export function useCluster(opts?: ClusterOptions): () => Cluster {
  let cluster: Cluster | undefined;
  before(async function () {
    this.timeout(START_TIMEOUT_MS);
    cluster = await startCluster(opts);
  });
  after(async function () {
    this.timeout(STOP_TIMEOUT_MS);
    await cluster?.stop();
  });
  return () => {
    if (!cluster) throw new Error('the test cluster exists only after the before hook registered by useCluster');
    return cluster;
  };
}
