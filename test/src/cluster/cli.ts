// `npm run cluster`: a control plane for a person to use, until Ctrl-C or SIGTERM.
import { parseArgs } from 'node:util';
import { createNode } from './objects.js';
import { startCluster } from './start-cluster.js';

const USAGE = `usage: npm run cluster -- [--nodes N]
Starts etcd, kube-apiserver, kube-controller-manager, kube-scheduler and kwok on loopback, prints
KUBECONFIG=<path> once the apiserver is ready, and runs until Ctrl-C or SIGTERM, then removes everything.
  --nodes N   create N kwok-managed Nodes (kwok-node-0 ... kwok-node-<N-1>); default 0`;

function parseNodeCount(value: string | undefined): number {
  if (value === undefined) return 0;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new Error(`--nodes: expected a whole number ≥ 0, got ${JSON.stringify(value)}`);
  return n;
}

async function run(): Promise<void> {
  const { values } = parseArgs({ options: { nodes: { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const nodes = parseNodeCount(values.nodes);
  const log = (line: string): void => void process.stderr.write(`[cluster] ${line}\n`);
  // The cluster's teardown registry handles SIGINT/SIGTERM: it stops everything, then lets the signal end us.
  const cluster = await startCluster({ log });
  for (let i = 0; i < nodes; i++) await createNode(cluster, `kwok-node-${i}`);
  if (nodes > 0) log(`created ${nodes} kwok node(s)`);
  process.stdout.write(
    `KUBECONFIG=${cluster.kubeconfigPath}\n` +
      `# for example:  kubectl --kubeconfig ${cluster.kubeconfigPath} get nodes\n` +
      `# component logs: ${cluster.dir}/logs/   stop with Ctrl-C\n`,
  );
}

run().catch((err: unknown) => {
  process.stderr.write(`[cluster] ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
