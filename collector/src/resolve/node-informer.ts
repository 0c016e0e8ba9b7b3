// Watches Nodes (only Nodes: the collector's memory grows with nodes, never with pods) into a NodeIndex,
// which keeps only what resolution needs of each Node; the full objects are not kept (list-watch.ts).
import type { KubeConfig, V1Node } from '@kubernetes/client-node';
import { CoreV1Api } from '../kube/client-node.js';
import type { Logger } from 'pino';
import { makeSharedApiClient } from '../kube/transport.js';
import { createListWatch, type ListWatchSink } from '../kube/list-watch.js';
import type { NodeIndex } from './node-index.js';
import { keepInformerRunning, type RestartingInformer } from '../kube/restarting-informer.js';

export interface NodeInformerOptions {
  kubeConfig: KubeConfig;
  index: NodeIndex;
  silenceMs: number;
  logger: Logger;
  onRestart?: (reason: 'error' | 'silence') => void;
}

/** Feeds list and watch results into the index. */
export function indexSink(index: NodeIndex): ListWatchSink<V1Node> {
  return {
    upsert: (node) => index.upsert(node),
    remove(node) {
      const name = node.metadata?.name;
      if (name !== undefined) index.remove(name);
    },
  };
}

export function startNodeInformer(opts: NodeInformerOptions): RestartingInformer {
  const core = makeSharedApiClient(opts.kubeConfig, CoreV1Api);
  const informer = createListWatch<V1Node>({
    kubeConfig: opts.kubeConfig,
    path: '/api/v1/nodes',
    list: ({ limit, continueToken }) => core.listNode({ limit, _continue: continueToken }),
    sink: indexSink(opts.index),
  });
  return keepInformerRunning(informer, {
    name: 'nodes',
    silenceMs: opts.silenceMs,
    logger: opts.logger,
    onRestart: opts.onRestart,
  });
}
