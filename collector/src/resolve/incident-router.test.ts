import { expect } from 'chai';
import { pino } from 'pino';
import type { RemediationRequest } from '../record/incident-record.js';
import type { Incident, IncidentEvent } from '../types.js';
import { createIncidentRouter, MAX_WAITING_BYTES } from './incident-router.js';
import { createNodeIndex } from './node-index.js';
import { createNodeResolver } from './resolve-node.js';
import { createTokenBuckets, type TokenBuckets } from '../token-buckets.js';

function oomKill(id: string, source: string, type: 'opened' | 'closed'): IncidentEvent {
  const { incident } = panic(id, source);
  return { type, incident: { ...incident, kind: 'OOMKilling', fatal: false, summary: 'Out of memory: Killed process 1 (x)' } };
}

function panic(id: string, source: string): IncidentEvent {
  const incident: Incident = {
    id,
    source,
    kind: 'KernelPanic',
    fatal: true,
    summary: 'Kernel panic - not syncing: Fatal exception',
    cause: null,
    kernelRelease: null,
    userdata: {},
    format: 'extended',
    firstSeq: 1,
    lastSeq: 1,
    lines: [],
    openedAt: 0,
    updatedAt: 0,
    closedAt: null,
  };
  return { type: 'opened', incident };
}

function router(synced: boolean, sourceLimit: TokenBuckets | null = null) {
  const index = createNodeIndex();
  const submitted: string[] = [];
  const recorded: string[] = [];
  const rejected: string[] = [];
  let markSynced: () => void = () => undefined;
  const nodes = { done: synced, isSynced: () => nodes.done, synced: new Promise<void>((r) => (markSynced = r)) };
  const route = createIncidentRouter({
    resolver: createNodeResolver({ index, logIntervalMs: 1000 }),
    now: () => 0,
    logger: pino({ level: 'silent' }),
    onRecorded: (event, node, _rejected, quiet) => recorded.push(`${event.type} ${event.incident.id}@${node ?? '-'}${quiet ? ' quiet' : ''}`),
    onRejected: (reason) => rejected.push(reason),
    sourceLimit,
    submit: (req: RemediationRequest) => submitted.push(`${req.incidentId}@${req.node}`),
    updateContext: () => undefined,
    nodes,
  });
  const addNode = (name: string, ip: string) =>
    index.upsert({ metadata: { name }, status: { addresses: [{ type: 'InternalIP', address: ip }], conditions: [{ type: 'Ready', status: 'True' }] } });
  const sync = async () => {
    nodes.done = true;
    markSynced();
    await nodes.synced;
    await Promise.resolve();
  };
  return { route, submitted, rejected, recorded, addNode, sync };
}

describe('createIncidentRouter', () => {
  it('a panic before the Node cache has synced waits for it, then resolves against the synced cache', async () => {
    const r = router(false);
    r.route(panic('a', '10.0.0.1'));
    r.route(panic('b', '10.0.0.9'));
    expect(r.submitted).to.deep.equal([]);
    expect(r.rejected).to.deep.equal([]);
    r.addNode('w1', '10.0.0.1');
    await r.sync();
    expect(r.submitted).to.deep.equal(['a@w1']);
    expect(r.rejected).to.deep.equal(['unknown-source']);
    r.route(panic('c', '10.0.0.1'));
    expect(r.submitted).to.deep.equal(['a@w1', 'c@w1']);
  });

  it('40 panics of 1 MiB of kernel lines each before the Node cache syncs → at most MAX_WAITING_BYTES wait, the oldest go on', async () => {
    const r = router(false);
    const line = 'x'.repeat(1024 * 1024);
    for (let i = 0; i < 40; i++) {
      const event = panic(`p${i}`, `192.0.2.${i}`);
      r.route({ ...event, incident: { ...event.incident, lines: [line] } });
    }
    const early = r.rejected.length;
    expect(early).to.be.within(8, 10);
    expect((40 - early) * 1024 * 1024).to.be.at.most(MAX_WAITING_BYTES);
    await r.sync();
    expect(r.rejected).to.have.length(40);
  });

  it('a synced cache → resolved at once; an unknown source → rejected at once', () => {
    const r = router(true);
    r.addNode('w1', '10.0.0.1');
    r.route(panic('a', '10.0.0.1'));
    r.route(panic('b', '10.0.0.2'));
    expect(r.submitted).to.deep.equal(['a@w1']);
    expect(r.rejected).to.deep.equal(['unknown-source']);
  });

  it('per-sender limit: a noisy sender\'s non-fatal incidents past its burst are quiet (no history, no log) yet still submitted; another sender and panics are untouched', () => {
    const r = router(true, createTokenBuckets({ burst: 2, perMinute: 1 }, 100));
    r.addNode('w1', '10.0.0.1');
    r.addNode('w2', '10.0.0.2');
    for (const id of ['o1', 'o2', 'o3']) {
      r.route(oomKill(id, '10.0.0.1', 'opened'));
      r.route(oomKill(id, '10.0.0.1', 'closed'));
    }
    r.route(panic('p', '10.0.0.1'));
    r.route(oomKill('x', '10.0.0.2', 'opened'));
    expect(r.recorded).to.deep.equal([
      'opened o1@w1',
      'closed o1@w1',
      'opened o2@w1',
      'closed o2@w1',
      'opened o3@w1 quiet',
      'closed o3@w1 quiet',
      'opened p@w1',
      'opened x@w2',
    ]);
    expect(r.submitted).to.deep.equal(['o1@w1', 'o2@w1', 'o3@w1', 'p@w1']);
  });
});
