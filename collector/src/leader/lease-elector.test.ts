import { expect } from 'chai';
import { waitFor } from '@lastgasp/testbed/testing';
import { pino } from 'pino';
import { startLeaderElection, type LeaderElector } from './lease-elector.js';
import type { LeaseRecord, LeaseStore, StoredLease } from './lease-store.js';

/** In-memory Lease with resourceVersion semantics; `down` makes every call fail like an unreachable API. */
function memoryStore(): LeaseStore & { current: StoredLease | null; down: boolean } {
  let rv = 0;
  const s = {
    current: null as StoredLease | null,
    down: false,
    get() {
      if (s.down) return Promise.reject(new Error('connect ECONNREFUSED'));
      return Promise.resolve(s.current === null ? null : { ...s.current, record: { ...s.current.record } });
    },
    create(record: LeaseRecord) {
      if (s.down) return Promise.reject(new Error('connect ECONNREFUSED'));
      if (s.current !== null) return Promise.resolve('conflict' as const);
      s.current = { record: { ...record }, resourceVersion: String(++rv) };
      return Promise.resolve('ok' as const);
    },
    replace(record: LeaseRecord, resourceVersion: string) {
      if (s.down) return Promise.reject(new Error('connect ECONNREFUSED'));
      if (s.current?.resourceVersion !== resourceVersion) return Promise.resolve('conflict' as const);
      s.current = { record: { ...record }, resourceVersion: String(++rv) };
      return Promise.resolve('ok' as const);
    },
  };
  return s;
}

const timings = { leaseDurationSeconds: 1, renewDeadlineSeconds: 0.6, retryPeriodSeconds: 0.1 };
const logger = pino({ level: 'silent' });

/** Polls a condition on the in-memory candidates every 20 ms, for up to `timeoutMs`. */
const within = (timeoutMs = 5000) => ({ timeoutMs, intervalMs: 20 });

function candidate(store: LeaseStore, identity: string, events: string[]): LeaderElector {
  return startLeaderElection({
    store,
    identity,
    timings,
    now: Date.now,
    logger,
    onStartedLeading: () => events.push(`${identity} started`),
    onStoppedLeading: () => events.push(`${identity} stopped`),
  });
}

describe('lease leader election', () => {
  it('two candidates → exactly one leads; the Lease names it', async () => {
    const store = memoryStore();
    const events: string[] = [];
    const a = candidate(store, 'a', events);
    const b = candidate(store, 'b', events);
    await waitFor('a leader', () => a.isLeader() || b.isLeader(), within());
    await new Promise((r) => setTimeout(r, 400));
    expect([a.isLeader(), b.isLeader()].filter(Boolean)).to.have.length(1);
    expect(store.current?.record.holderIdentity).to.equal(a.isLeader() ? 'a' : 'b');
    await a.stop();
    await b.stop();
  });

  it('a leader and a follower → both report the leader\'s identity; after the release, nobody', async () => {
    const store = memoryStore();
    const events: string[] = [];
    const a = candidate(store, 'a', events);
    await waitFor('a leads', () => a.isLeader(), within());
    const b = candidate(store, 'b', events);
    await waitFor('b has read the Lease', () => b.leaderIdentity() !== null, within());
    expect(b.isLeader()).to.equal(false);
    expect(b.leaderIdentity()).to.equal('a');
    expect(a.leaderIdentity()).to.equal('a');
    await a.stop();
    expect(a.leaderIdentity()).to.equal(null);
    await waitFor('b leads', () => b.isLeader(), within());
    expect(b.leaderIdentity()).to.equal('b');
    await b.stop();
  });

  it('a leader that stops releases the Lease; the other takes over without waiting for expiry', async () => {
    const store = memoryStore();
    const events: string[] = [];
    const a = candidate(store, 'a', events);
    await waitFor('a leads', () => a.isLeader(), within());
    const b = candidate(store, 'b', events);
    await a.stop();
    expect(store.current?.record.holderIdentity).to.equal('');
    const t = Date.now();
    await waitFor('b leads', () => b.isLeader(), within());
    expect(Date.now() - t).to.be.lessThan(900);
    expect(store.current?.record.leaseTransitions).to.equal(1);
    expect(events).to.deep.equal(['a started', 'a stopped', 'b started']);
    await b.stop();
  });

  it('a leader that cannot renew steps down within the renew deadline; a crashed holder is replaced after the lease duration', async () => {
    const store = memoryStore();
    const events: string[] = [];
    const a = candidate(store, 'a', events);
    await waitFor('a leads', () => a.isLeader(), within());
    store.down = true;
    const lost = Date.now();
    await waitFor('a steps down', () => !a.isLeader(), within(3000));
    expect(Date.now() - lost).to.be.lessThan(1000);
    await a.stop();
    // A holder that vanished without releasing: the Lease still names "ghost".
    store.down = false;
    const stale = store.current;
    if (stale === null) throw new Error('no lease');
    stale.record.holderIdentity = 'ghost';
    const b = candidate(store, 'b', events);
    const t = Date.now();
    await waitFor('b leads', () => b.isLeader(), within(5000));
    expect(Date.now() - t).to.be.greaterThanOrEqual(900);
    await b.stop();
  });
});
