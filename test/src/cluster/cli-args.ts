// Pure parts of `npm run cluster`: usage text, argument checks, node addresses.

export const USAGE = `usage: npm run cluster -- [--nodes N]
Starts etcd, kube-apiserver, kube-controller-manager, kube-scheduler and kwok on loopback, prints
KUBECONFIG=<path> once the apiserver is ready, and runs until Ctrl-C or SIGTERM, then removes everything.
  --nodes N   create N kwok-managed Nodes kwok-node-0 ... kwok-node-<N-1>, InternalIPs 127.18.0.1, 127.18.0.2, ... (loopback: they answer the collector's probes like live nodes)`;

export function parseNodeCount(value: string | undefined): number {
  if (value === undefined) return 0;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 100_000) throw new Error(`--nodes: expected a whole number from 0 to 100000, got ${JSON.stringify(value)}`);
  return n;
}

/**
 * A distinct InternalIP per node from 127.18.0.0/15 (loopback: the collector probes Node addresses, and
 * nothing may leave the machine; a probe there is answered with a reset, as a live node's would be).
 */
export function nodeAddress(index: number): string {
  const n = index + 1;
  return `127.${18 + ((n >> 16) & 1)}.${(n >> 8) & 255}.${n & 255}`;
}
