// Pure parts of `npm run cluster`: usage text, argument checks, node addresses.

export const USAGE = `usage: npm run cluster -- [--nodes N]
Starts etcd, kube-apiserver, kube-controller-manager, kube-scheduler and kwok on loopback, prints
KUBECONFIG=<path> once the apiserver is ready, and runs until Ctrl-C or SIGTERM, then removes everything.
  --nodes N   create N kwok-managed Nodes kwok-node-0 ... kwok-node-<N-1>, InternalIPs 198.18.0.1, 198.18.0.2, ...`;

export function parseNodeCount(value: string | undefined): number {
  if (value === undefined) return 0;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 100_000) throw new Error(`--nodes: expected a whole number from 0 to 100000, got ${JSON.stringify(value)}`);
  return n;
}

/** A distinct InternalIP per node from 198.18.0.0/15 (reserved for benchmarks, never routed). */
export function nodeAddress(index: number): string {
  const n = index + 1;
  return `198.${18 + ((n >> 16) & 1)}.${(n >> 8) & 255}.${n & 255}`;
}
