// `npm run cluster`: a control plane for a person to use, until Ctrl-C or SIGTERM.
import { parseArgs } from 'node:util';
import { USAGE, nodeAddress, parseNodeCount } from './cli-args.js';
import { createNode } from './objects.js';
import { startCluster } from './start-cluster.js';

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
  for (let i = 0; i < nodes; i++) {
    await createNode(cluster, `kwok-node-${i}`, { addresses: [{ type: 'InternalIP', address: nodeAddress(i) }] });
  }
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
