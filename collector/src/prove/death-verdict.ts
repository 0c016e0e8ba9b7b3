// Proof of death, the decision: given the TCP connection attempts made to a Node's addresses after its
// last gasp, is the Node alive, dead, or can we not tell? Pure: no I/O, times are passed in.
//
// Why TCP: a dying kernel can send its last netconsole lines but cannot answer anything afterwards,
// while a live kernel answers a SYN within milliseconds — a SYN-ACK when something listens, an RST
// when nothing does. Either answer refutes the death. Silence on every attempt, spread over a window,
// proves it. Anything else (an ICMP unreachable, whose origin a plain connect cannot tell — the node,
// a router, or our own host; a local error; too few attempts) proves nothing: never "dead".
//
// Times are ms since the epoch. `answersCountAfter` is when the last gasp is over: on a multi-CPU node
// the other CPUs keep running for a few ms until panic() stops them, so an answer received before that
// instant is ignored (evidence neither way), and a timeout counts only for an attempt sent at or after it.

/** What one connection attempt ended with. */
export type ProbeOutcome =
  /** The handshake completed: something listens and the kernel is alive. */
  | 'connected'
  /** RST: nothing listens on the port, and the kernel is alive to say so. */
  | 'refused'
  /** No answer within the attempt's timeout: what a dead node gives. */
  | 'timeout'
  /** ICMP host/net unreachable (EHOSTUNREACH, ENETUNREACH): inconclusive, its sender is unknown. */
  | 'unreachable'
  /** Anything else (a local error): inconclusive. */
  | 'error';

export interface ProbeAttempt {
  /** IP address as probed (IPv4 dotted quad or IPv6 text). */
  address: string;
  port: number;
  /** When the connect was started (the SYN sent), ms epoch. */
  sentAt: number;
  /** When the outcome was known (answer, error, or our timeout firing), ms epoch. */
  settledAt: number;
  outcome: ProbeOutcome;
  /** The error code behind `unreachable`/`error` (e.g. `EHOSTUNREACH`), for the summary. */
  code?: string;
}

export type Verdict = 'alive' | 'dead' | 'inconclusive';

/** An attempt as judged: `counted` is false when it lies before the last gasp was over. */
export interface JudgedAttempt extends ProbeAttempt {
  counted: boolean;
}

export interface DeathVerdict {
  verdict: Verdict;
  /** One line for Events, records and logs, e.g. `no answer from 10.0.0.7:10250 in 3 attempts over 400 ms`. */
  summary: string;
  attempts: readonly JudgedAttempt[];
}

export interface VerdictInput {
  /** Every address that was to be probed: an address without counted attempts makes "dead" impossible. */
  addresses: readonly string[];
  attempts: readonly ProbeAttempt[];
  /** ms epoch; see the header. */
  answersCountAfter: number;
  /** Counted timeouts each address needs before silence is proof. At least 1. */
  minAttempts: number;
  /** The first and last counted timeout of each address must be sent at least this far apart, ms. */
  windowMs: number;
  /** When the panic line arrived, ms epoch; only to say in the summary how late an answer came. */
  panicAt?: number;
}

const ANSWERS: ReadonlySet<ProbeOutcome> = new Set(['connected', 'refused']);

/** `10.0.0.7:10250`, `[fd00::7]:10250`. */
export function formatEndpoint(address: string, port: number): string {
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}

function isCounted(a: ProbeAttempt, answersCountAfter: number): boolean {
  return ANSWERS.has(a.outcome) ? a.settledAt >= answersCountAfter : a.sentAt >= answersCountAfter;
}

function describeAnswer(a: ProbeAttempt, input: VerdictInput): string {
  const how = a.outcome === 'connected' ? 'connection accepted' : 'connection refused';
  const since = input.panicAt ?? input.answersCountAfter;
  const after = input.panicAt === undefined ? 'the last gasp was over' : 'the panic line';
  return `${formatEndpoint(a.address, a.port)} answered (${how}) ${Math.max(0, Math.round(a.settledAt - since))} ms after ${after}`;
}

function describeInconclusive(a: ProbeAttempt): string {
  const code = a.code === undefined ? '' : ` (${a.code})`;
  const what = a.outcome === 'unreachable' ? `unreachable${code}: a dead node and a broken path look alike` : `failed${code}`;
  return `${formatEndpoint(a.address, a.port)} ${what}`;
}

/** Why an address's counted timeouts are not yet proof, or null when they are. */
function shortOfProof(address: string, timeouts: readonly ProbeAttempt[], input: VerdictInput): string | null {
  if (timeouts.length < input.minAttempts) {
    return `only ${timeouts.length} of ${input.minAttempts} attempts to ${address} counted`;
  }
  const sent = timeouts.map((a) => a.sentAt);
  const span = Math.max(...sent) - Math.min(...sent);
  if (span < input.windowMs) return `attempts to ${address} spanned ${span} ms, less than ${input.windowMs} ms`;
  return null;
}

function describeSilence(addresses: readonly string[], attempts: readonly JudgedAttempt[]): string {
  const endpoints = addresses.map((address) => {
    const port = attempts.find((a) => a.address === address)?.port;
    return port === undefined ? address : formatEndpoint(address, port);
  });
  const counts = new Set(addresses.map((address) => attempts.filter((a) => a.counted && a.address === address).length));
  const n = counts.size === 1 ? ([...counts][0] ?? 0) : null;
  const count = n === null ? 'several attempts' : `${n} attempt${n === 1 ? '' : 's'}${addresses.length > 1 ? ' each' : ''}`;
  const sent = attempts.filter((a) => a.counted).map((a) => a.sentAt);
  const span = Math.max(...sent) - Math.min(...sent);
  return `no answer from ${endpoints.join(' or ')} in ${count} over ${span} ms`;
}

/** Decides alive / dead / inconclusive; see the header for the rules. */
export function judgeDeath(input: VerdictInput): DeathVerdict {
  if (!(input.minAttempts >= 1)) throw new RangeError(`minAttempts must be at least 1, got ${input.minAttempts}`);
  const attempts: JudgedAttempt[] = input.attempts.map((a) => ({ ...a, counted: isCounted(a, input.answersCountAfter) }));
  const counted = attempts.filter((a) => a.counted);

  const answer = counted.filter((a) => ANSWERS.has(a.outcome)).sort((x, y) => x.settledAt - y.settledAt)[0];
  if (answer !== undefined) return { verdict: 'alive', summary: describeAnswer(answer, input), attempts };

  if (input.addresses.length === 0) return { verdict: 'inconclusive', summary: 'no address to probe', attempts };

  const unclear = counted.filter((a) => a.outcome === 'unreachable' || a.outcome === 'error');
  if (unclear.length > 0) {
    const distinct = [...new Map(unclear.map((a) => [`${a.address}|${a.outcome}|${a.code ?? ''}`, a])).values()];
    return { verdict: 'inconclusive', summary: distinct.map(describeInconclusive).join('; '), attempts };
  }

  const short = input.addresses
    .map((address) => shortOfProof(address, counted.filter((a) => a.address === address), input))
    .filter((reason): reason is string => reason !== null);
  if (short.length > 0) {
    const ignored = attempts.length - counted.length;
    const note = ignored > 0 ? ` (${ignored} attempt(s) before the last gasp was over ignored)` : '';
    return { verdict: 'inconclusive', summary: `${short.join('; ')}${note}`, attempts };
  }

  return { verdict: 'dead', summary: describeSilence(input.addresses, attempts), attempts };
}
