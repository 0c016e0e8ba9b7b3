// One TCP connection attempt, reduced to what proof of death needs: did the kernel at that address
// answer (handshake or RST), stay silent, or could we not tell? The socket never lives longer than the
// attempt: a completed handshake is reset at once (RST, no TIME_WAIT on our side), a timed-out or
// aborted one is destroyed (the kernel drops the SYN_SENT socket without sending anything).
import { isIP, Socket } from 'node:net';
import type { ProbeAttempt, ProbeOutcome } from './death-verdict.js';

export interface ConnectOnceOptions {
  /** An IP address; a host name is refused (it would mean a DNS lookup inside a proof). */
  address: string;
  port: number;
  /** How long to wait for an answer, ms. Below the kernel's first SYN retransmission (1 s), one SYN is sent. */
  timeoutMs: number;
  /** Clock for `sentAt`/`settledAt`, ms epoch. */
  now: () => number;
  /** Aborting destroys the socket and rejects with the signal's reason. */
  signal?: AbortSignal;
}

/** Error codes that mean "an ICMP unreachable came back" (or the local stack has no route). */
const UNREACHABLE_CODES: ReadonlySet<string> = new Set(['EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN', 'ENETDOWN']);

/** Maps a connect error's code to an outcome; pure. */
export function outcomeOfErrorCode(code: string | undefined): ProbeOutcome {
  if (code === 'ECONNREFUSED') return 'refused';
  if (code === 'ETIMEDOUT') return 'timeout';
  if (code !== undefined && UNREACHABLE_CODES.has(code)) return 'unreachable';
  return 'error';
}

function errorCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** The abort reason as an Error (a plain abort() gives a DOMException, which is one). */
function abortError(signal: AbortSignal | undefined): Error {
  const reason: unknown = signal?.reason;
  return reason instanceof Error ? reason : new Error('aborted', { cause: reason });
}

/** Resolves with the attempt's outcome; rejects only when `signal` aborts. */
export function connectOnce(opts: ConnectOnceOptions): Promise<ProbeAttempt> {
  if (isIP(opts.address) === 0) throw new TypeError(`not an IP address: ${JSON.stringify(opts.address)}`);
  const { address, port, now, signal } = opts;
  return new Promise<ProbeAttempt>((resolve, reject) => {
    if (signal?.aborted) {
      reject(abortError(signal));
      return;
    }
    const socket = new Socket();
    const sentAt = now();
    let done = false;
    const finish = (outcome: ProbeOutcome, code?: string): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      const attempt: ProbeAttempt = { address, port, sentAt, settledAt: now(), outcome };
      if (code !== undefined) attempt.code = code;
      if (outcome === 'connected') socket.resetAndDestroy();
      else socket.destroy();
      resolve(attempt);
    };
    const onAbort = (): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      reject(abortError(signal));
    };
    const timer = setTimeout(() => finish('timeout'), opts.timeoutMs);
    signal?.addEventListener('abort', onAbort, { once: true });
    socket.once('connect', () => finish('connected'));
    socket.on('error', (err) => {
      const code = errorCode(err);
      const outcome = outcomeOfErrorCode(code);
      finish(outcome, outcome === 'refused' || outcome === 'timeout' ? undefined : (code ?? err.message));
    });
    socket.connect({ host: address, port });
  });
}
