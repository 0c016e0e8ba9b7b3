// Watches Nodes (only Nodes: the collector's memory grows with nodes, never with pods) into a NodeIndex.
import { CoreV1Api, makeInformer, type KubeConfig, type V1Node } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { NodeIndex } from './node-index.js';
import { keepInformerRunning, type RestartingInformer } from './restarting-informer.js';

export interface NodeInformerOptions {
  kubeConfig: KubeConfig;
  index: NodeIndex;
  silenceMs: number;
  logger: Logger;
  onRestart?: (reason: 'error' | 'silence') => void;
}

export function startNodeInformer(opts: NodeInformerOptions): RestartingInformer {
  const core = opts.kubeConfig.makeApiClient(CoreV1Api);
  const informer = makeInformer<V1Node>(opts.kubeConfig, '/api/v1/nodes', () => core.listNode());
  informer.on('add', (n) => opts.index.upsert(n));
  informer.on('update', (n) => opts.index.upsert(n));
  informer.on('delete', (n) => {
    if (n.metadata?.name !== undefined) opts.index.remove(n.metadata.name);
  });
  return keepInformerRunning(informer, {
    name: 'nodes',
    silenceMs: opts.silenceMs,
    logger: opts.logger,
    onRestart: opts.onRestart,
  });
}
