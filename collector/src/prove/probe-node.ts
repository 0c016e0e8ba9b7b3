// Proof of death, the edge: probes a Node's addresses with TCP connects and returns judgeDeath's verdict.
//
// Schedule: round 0 goes out at the later of now and `answersCountAfter` (nothing is sent before the
// last gasp is over); `start` is the clock read right after it. With n attempts over a window w, round
// k (1 ≤ k < n) goes out at start + k·w/(n−1) — e.g. 0, 200, 400 ms for n = 3, w = 400 ms; a single
// attempt needs no window. Each round connects to every address at once; each connect waits
// `attemptTimeoutMs` for an answer. Timers may fire early by a millisecond against the clock, so each
// round waits until `now()` has really reached its time: every address's rounds then span at least w
// by their recorded send times, which is what judgeDeath asks of silence.
//
// The first counted answer ends the probe at once (alive): the remaining rounds are not sent and the
// sockets still open are destroyed. Otherwise the probe ends when the last round's attempts settle,
// about w + attemptTimeoutMs after start. Aborting `signal` destroys every socket and rejects with
// the signal's reason.
import { isIP } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { connectOnce } from './connect-once.js';
import { judgeDeath, type DeathVerdict, type ProbeAttempt } from './death-verdict.js';

export interface ProbeNodeOptions {
  /** IP addresses of the Node (IPv4 and/or IPv6); all are probed in every round. */
  addresses: readonly string[];
  port: number;
  /** Rounds; also the counted timeouts each address needs before silence is proof. At least 1. */
  attempts: number;
  /** From the first round to the last, ms. */
  windowMs: number;
  /** How long each connect waits for an answer, ms. */
  attemptTimeoutMs: number;
  /** ms epoch: the first round is not sent before it; answers received before it are ignored. */
  answersCountAfter: number;
  /** ms epoch of the panic line, for the summary only. */
  panicAt?: number;
  /** Clock, ms epoch; must advance with real time. Default Date.now. */
  now?: () => number;
  signal?: AbortSignal;
}

/** Defaults for settings: 3 rounds over 300 ms, 200 ms per connect (a live kernel answers in a few ms). */
export const PROBE_DEFAULTS = { attempts: 3, windowMs: 300, attemptTimeoutMs: 200 } as const;

/** Sleeps until `now()` ≥ `at`, re-arming when the timer fired early. */
async function sleepUntil(at: number, now: () => number, signal: AbortSignal): Promise<void> {
  for (let left = at - now(); left > 0; left = at - now()) await sleep(left, undefined, { signal });
}

function validate(o: ProbeNodeOptions): void {
  if (!Number.isInteger(o.attempts) || o.attempts < 1) throw new RangeError(`attempts must be an integer ≥ 1, got ${o.attempts}`);
  if (!(o.windowMs >= 0)) throw new RangeError(`windowMs must be ≥ 0, got ${o.windowMs}`);
  if (!(o.attemptTimeoutMs > 0)) throw new RangeError(`attemptTimeoutMs must be > 0, got ${o.attemptTimeoutMs}`);
  const names = o.addresses.filter((a) => isIP(a) === 0);
  if (names.length > 0) throw new TypeError(`not IP addresses: ${JSON.stringify(names)}`);
}

/** Probes and judges; resolves with the verdict, rejects only when `signal` aborts or the options are invalid. */
export async function probeNode(o: ProbeNodeOptions): Promise<DeathVerdict> {
  validate(o);
  o.signal?.throwIfAborted();
  const now = o.now ?? Date.now;
  const rounds = o.attempts;
  const windowMs = rounds === 1 ? 0 : o.windowMs;
  const finished = new AbortController();
  const signal = o.signal === undefined ? finished.signal : AbortSignal.any([o.signal, finished.signal]);
  const attempts: ProbeAttempt[] = [];
  const inFlight: Promise<void>[] = [];

  const launch = (address: string): void => {
    const attempt = connectOnce({ address, port: o.port, timeoutMs: o.attemptTimeoutMs, now, signal });
    inFlight.push(
      attempt.then(
        (a) => {
          attempts.push(a);
          const answered = (a.outcome === 'connected' || a.outcome === 'refused') && a.settledAt >= o.answersCountAfter;
          if (answered) finished.abort();
        },
        () => undefined, // aborted: by an answer elsewhere (finished) or by the caller (checked below)
      ),
    );
  };

  try {
    await sleepUntil(o.answersCountAfter, now, signal);
    for (const address of o.addresses) launch(address);
    // Read after round 0 went out, so it is at or after every round-0 send time.
    const start = now();
    for (let k = 1; k < rounds; k++) {
      await sleepUntil(start + (k * windowMs) / (rounds - 1), now, signal);
      for (const address of o.addresses) launch(address);
    }
  } catch (err) {
    if (!signal.aborted) throw err;
  } finally {
    await Promise.all(inFlight);
  }
  o.signal?.throwIfAborted();
  return judgeDeath({
    addresses: o.addresses,
    attempts,
    answersCountAfter: o.answersCountAfter,
    minAttempts: rounds,
    windowMs,
    ...(o.panicAt === undefined ? {} : { panicAt: o.panicAt }),
  });
}
