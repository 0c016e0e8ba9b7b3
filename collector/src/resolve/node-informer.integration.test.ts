// The cache-less Node list-watch against a real API server: paged lists, watch events into the index,
// and a relist that drops Nodes deleted while it was not watching.
import { CoreV1Api, PatchStrategy, setHeaderOptions, type V1Node } from '@kubernetes/client-node';
import { createNode, useCluster } from '@lastgasp/testbed/cluster';
import { waitFor } from '@lastgasp/testbed/testing';
import { expect } from 'chai';
import { makeSharedApiClient } from '../kube/transport.js';
import { createListWatch } from '../kube/list-watch.js';
import { createNodeIndex } from './node-index.js';
import { indexSink } from './node-informer.js';

const WAIT = { timeoutMs: 60_000, intervalMs: 100 };

describe('Node list-watch against a real API server', function () {
  this.timeout(180_000);
  const cluster = useCluster();

  it('lists in pages, follows adds, updates and deletes, and a relist drops Nodes deleted meanwhile', async () => {
    const c = cluster();
    const core = makeSharedApiClient(c.kubeConfig, CoreV1Api);
    for (let i = 1; i <= 5; i++) {
      await createNode(c, `lw-${i}`, { addresses: [{ type: 'InternalIP', address: `127.0.20.${i}` }] });
    }
    const index = createNodeIndex();
    const pages: number[] = [];
    const informer = createListWatch<V1Node>({
      kubeConfig: c.kubeConfig,
      path: '/api/v1/nodes',
      pageSize: 2,
      list: async ({ limit, continueToken }) => {
        const page = await core.listNode({ limit, _continue: continueToken });
        pages.push(page.items.length);
        return page;
      },
      sink: indexSink(index),
    });
    try {
      await informer.start();
      expect(pages).to.deep.equal([2, 2, 1]);
      expect(index.names().sort()).to.deep.equal(['lw-1', 'lw-2', 'lw-3', 'lw-4', 'lw-5']);
      expect(index.byAddress('127.0.20.3')).to.deep.equal(['lw-3']);

      await createNode(c, 'lw-6', { addresses: [{ type: 'InternalIP', address: '127.0.20.6' }] });
      await waitFor('lw-6 added by the watch', () => Promise.resolve(index.byAddress('127.0.20.6').length === 1), WAIT);
      await core.patchNode({ name: 'lw-1', body: { metadata: { labels: { changed: 'yes' } } } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
      await waitFor('lw-1 updated by the watch', () => Promise.resolve(index.get('lw-1')?.labels.changed === 'yes'), WAIT);
      await core.deleteNode({ name: 'lw-2' });
      await waitFor('lw-2 removed by the watch', () => Promise.resolve(index.get('lw-2') === undefined), WAIT);

      await informer.stop();
      await core.deleteNode({ name: 'lw-3' });
      await informer.start();
      expect(index.get('lw-3')).to.equal(undefined);
      expect(index.byAddress('127.0.20.3')).to.deep.equal([]);
      expect(index.names().sort()).to.deep.equal(['lw-1', 'lw-4', 'lw-5', 'lw-6']);
    } finally {
      await informer.stop();
    }
  });
});

