// Lease-based leader election with client-go's semantics (k8s.io/client-go/tools/leaderelection):
// - a candidate takes the Lease when it is free (no holder) or the holder has not renewed it for
//   leaseDuration, measured on OUR clock from when we last saw the record change (no clock-skew trust);
// - every write carries the resourceVersion read, so two candidates cannot both win;
// - the leader renews every retryPeriod and steps down if it could not renew for renewDeadline
//   (< leaseDuration, so it stops acting before anyone else may start);
// - on shutdown the leader releases the Lease (empty holder) so a successor need not wait.
import type { Logger } from 'pino';
import type { LeaderElectionTimings } from '../config/config.js';
import { withTimeout } from '../kube/api-errors.js';
import type { LeaseRecord, LeaseStore } from './lease-store.js';

export interface LeaderElectionOptions {
  store: LeaseStore;
  identity: string;
  timings: LeaderElectionTimings;
  now: () => number;
  logger: Logger;
  onStartedLeading: () => void;
  onStoppedLeading: () => void;
}

export interface LeaderElector {
  isLeader(): boolean;
  /**
   * The current Lease holder as this replica last read it (its own identity while leading, like
   * client-go's GetLeader); null before the first read and while the Lease is released.
   */
  leaderIdentity(): string | null;
  /** Stops campaigning; releases the Lease if held. */
  stop(): Promise<void>;
}

export function startLeaderElection(opts: LeaderElectionOptions): LeaderElector {
  const { store, identity, timings, now, logger } = opts;
  const renewDeadlineMs = timings.renewDeadlineSeconds * 1000;
  const retryMs = timings.retryPeriodSeconds * 1000;
  let leader = false;
  let lastRenew = 0;
  let observed: { key: string; at: number } | null = null;
  let holder = '';
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let current: Promise<void> = Promise.resolve();

  const observe = (r: LeaseRecord): number => {
    holder = r.holderIdentity;
    const key = `${r.holderIdentity}|${r.renewTime}|${r.leaseTransitions}`;
    if (observed?.key !== key) observed = { key, at: now() };
    return observed.at;
  };

  /** One attempt; true when we hold the Lease afterwards. */
  const tryAcquireOrRenew = async (): Promise<boolean> => {
    const t = now();
    const existing = await store.get();
    const fresh: LeaseRecord = {
      holderIdentity: identity,
      leaseDurationSeconds: timings.leaseDurationSeconds,
      acquireTime: t,
      renewTime: t,
      leaseTransitions: 0,
    };
    if (existing === null) {
      const created = (await store.create(fresh)) === 'ok';
      if (created) holder = identity;
      return created;
    }
    const r = existing.record;
    const observedAt = observe(r);
    const heldByOther = r.holderIdentity !== '' && r.holderIdentity !== identity;
    const theirLeaseMs = (r.leaseDurationSeconds > 0 ? r.leaseDurationSeconds : timings.leaseDurationSeconds) * 1000;
    if (heldByOther && observedAt + theirLeaseMs > t) return false;
    const next: LeaseRecord =
      r.holderIdentity === identity
        ? { ...fresh, acquireTime: r.acquireTime, leaseTransitions: r.leaseTransitions }
        : { ...fresh, leaseTransitions: r.leaseTransitions + 1 };
    const replaced = (await store.replace(next, existing.resourceVersion)) === 'ok';
    if (replaced) holder = identity;
    return replaced;
  };

  const setLeader = (value: boolean): void => {
    if (value === leader) return;
    leader = value;
    logger.info({ identity }, value ? 'became leader' : 'stopped leading');
    if (value) opts.onStartedLeading();
    else opts.onStoppedLeading();
  };

  const step = async (): Promise<void> => {
    let ok = false;
    try {
      ok = await withTimeout(tryAcquireOrRenew, renewDeadlineMs);
    } catch (err) {
      logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'lease update failed');
    }
    if (stopped) return;
    if (ok) {
      lastRenew = now();
      setLeader(true);
    } else if (leader && now() - lastRenew >= renewDeadlineMs) {
      setLeader(false);
    }
  };

  const schedule = (): void => {
    if (stopped) return;
    // client-go adds up to 20 % jitter to the candidate's retry period; the leader renews on time.
    const delay = leader ? retryMs : retryMs * (1 + Math.random() * 0.2);
    timer = setTimeout(() => {
      current = step().finally(schedule);
    }, delay);
  };

  current = step().finally(schedule);

  const leading = (): boolean => leader && now() - lastRenew < renewDeadlineMs;

  return {
    isLeader: leading,
    leaderIdentity: () => {
      if (leading()) return identity;
      return holder === '' ? null : holder;
    },
    async stop() {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
      await current.catch(() => undefined);
      if (!leader) return;
      setLeader(false);
      try {
        const existing = await store.get();
        if (existing !== null && existing.record.holderIdentity === identity) {
          const t = now();
          await store.replace(
            { holderIdentity: '', leaseDurationSeconds: 1, acquireTime: t, renewTime: t, leaseTransitions: existing.record.leaseTransitions },
            existing.resourceVersion,
          );
          holder = '';
        }
      } catch (err) {
        logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'could not release the lease');
      }
    },
  };
}
