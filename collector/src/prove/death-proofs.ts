// Proof of death, per replica: the moment a fatal incident is resolved to a Node, every replica starts
// probing that Node (probe-node.ts), so whichever replica leads — now or after a takeover — has a verdict
// before anything destructive happens. The leader records the verdict on the NodeIncident; a later
// leader reuses the recorded one and never probes again (a kdump kernel booting seconds later may bring
// the address back up; that must not undo a proven death).
//
// When answers start to count: on a multi-CPU node the other CPUs keep running until panic() stops
// them, which is after the panic line went out. So the probe waits for the last gasp to be over: the
// `---[ end Kernel panic` marker among the incident's lines, or `settleMs` after the panic line when no
// marker comes (a kernel that reboots at once, or lines lost).
//
// A node the reachability self-check never heard from (reachability-check.ts) cannot be proven dead by
// silence — a firewall dropping the probe looks the same — so silence from it is inconclusive; it is
// probed all the same, because an answer refutes the panic whatever the self-check knows (a forged
// panic from a node that joined a minute ago).
// Bounded: verdicts are kept for `keepMs` and at most `maxKept` of them; at most `maxInFlightPerNode`
// probes of one Node and `maxInFlight` over all run at once (a flood of forged panics from one address
// must not open sockets without end). A request over either cap gets no probe: inconclusive, so its
// incident waits for Kubernetes' own view — never "dead".
import type { DeathVerdict } from './death-verdict.js';
import type { ProbeNodeOptions } from './probe-node.js';
import type { ProbeTarget } from './probe-target.js';
import type { Provability } from './reachability-check.js';

/** How the probe runs; see config.ts `policy.proofOfDeath`. */
export interface ProofSettings {
  /** TCP port probed; null = the Node's kubelet port. */
  port: number | null;
  attempts: number;
  windowMs: number;
  attemptTimeoutMs: number;
  /** Answers count at the latest this long after the panic line (sooner when the end marker arrives). */
  settleMs: number;
}

/** The incident facts the probe needs. */
export interface ProofRequest {
  /** The NodeIncident name (one proof per record). */
  name: string;
  node: string;
  /** The sender's address (the pipeline's host). */
  source: string;
  /** When the panic line arrived, ms epoch. */
  detectedAt: number;
  /** The incident's kernel lines so far (the end marker may already be among them). */
  lines: readonly string[];
}

export interface DeathProofs {
  /** Starts proving `req` unless already started; called on receipt, on every replica. */
  start(req: ProofRequest): void;
  /** Newer lines of an incident already started (the end marker ends the wait for answers to count). */
  linesArrived(name: string, lines: readonly string[]): void;
  /** This replica's verdict, or null when it never started proving this incident. */
  verdictOf(name: string): Promise<DeathVerdict> | null;
  /** Proofs held (for a gauge). */
  size(): number;
  /** Probes running now. */
  inFlight(): number;
  /** Aborts the probes in flight. */
  stop(): void;
}

export interface DeathProofsOptions {
  settings: ProofSettings;
  /** Where to probe a Node (InternalIPs and port), or null when the Node is not known. */
  target: (node: string, port: number | null) => ProbeTarget | null;
  /** Whether the self-check heard from the node before the incident. */
  provability: (node: string, incidentAt: number) => Provability;
  probe: (opts: ProbeNodeOptions) => Promise<DeathVerdict>;
  now: () => number;
  keepMs: number;
  maxKept?: number;
  /** Probes of one Node running at once (default 2). */
  maxInFlightPerNode?: number;
  /** Probes running at once over all Nodes (default 64). */
  maxInFlight?: number;
  /**
   * The node answered after its reported panic: it did not die. Called on every replica as soon as the
   * verdict is in (the pipeline re-arms the host, so a real panic right after a forged one is seen).
   */
  onAlive?: (req: ProofRequest, verdict: DeathVerdict) => void;
  /** A probe failed unexpectedly (never for a plain "no answer"). */
  onError?: (name: string, err: unknown) => void;
}

/** The last line panic() prints, after it has stopped the other CPUs. */
export const END_OF_PANIC = /---\[ end Kernel panic/;

interface Proof {
  startedAt: number;
  verdict: Promise<DeathVerdict>;
  /** Resolves the wait for the last gasp to be over, with the time it ended. */
  over: (at: number) => void;
  settled: boolean;
}

function inconclusive(summary: string): DeathVerdict {
  return { verdict: 'inconclusive', summary, attempts: [] };
}

export function createDeathProofs(opts: DeathProofsOptions): DeathProofs {
  const maxKept = opts.maxKept ?? 1000;
  const maxPerNode = opts.maxInFlightPerNode ?? 2;
  const maxInFlight = opts.maxInFlight ?? 64;
  const proofs = new Map<string, Proof>();
  /** Probes running, per Node. */
  const inFlight = new Map<string, number>();
  let inFlightTotal = 0;
  const overCap = (node: string): string | null => {
    if ((inFlight.get(node) ?? 0) >= maxPerNode) return `${maxPerNode} probe(s) of ${node} already running (a flood of panics from its address?)`;
    if (inFlightTotal >= maxInFlight) return `${maxInFlight} probes already running`;
    return null;
  };
  const enter = (node: string): void => {
    inFlight.set(node, (inFlight.get(node) ?? 0) + 1);
    inFlightTotal++;
  };
  const leave = (node: string): void => {
    const n = (inFlight.get(node) ?? 1) - 1;
    if (n <= 0) inFlight.delete(node);
    else inFlight.set(node, n);
    inFlightTotal--;
  };
  const stopping = new AbortController();
  const timers = new Set<NodeJS.Timeout>();

  const prune = (): void => {
    const now = opts.now();
    for (const [name, p] of proofs) {
      if (proofs.size <= maxKept && now - p.startedAt <= opts.keepMs) break;
      proofs.delete(name);
    }
  };

  const prove = async (req: ProofRequest, lastGaspOver: Promise<number>): Promise<DeathVerdict> => {
    const target = opts.target(req.node, opts.settings.port);
    if (target === null) return inconclusive(`the Node ${req.node} is not known to this replica`);
    if (target.addresses.length === 0) return inconclusive(`the Node ${req.node} lists no InternalIP to probe`);
    const provable = opts.provability(req.node, req.detectedAt);
    const answersCountAfter = await lastGaspOver;
    const s = opts.settings;
    const verdict = await opts.probe({
      addresses: target.addresses,
      port: target.port,
      attempts: s.attempts,
      windowMs: s.windowMs,
      attemptTimeoutMs: s.attemptTimeoutMs,
      answersCountAfter,
      panicAt: req.detectedAt,
      now: opts.now,
      signal: stopping.signal,
    });
    if (verdict.verdict === 'dead' && !provable.provable) return inconclusive(`silence cannot prove death: ${provable.reason} (${verdict.summary})`);
    return verdict;
  };

  return {
    start(req) {
      if (proofs.has(req.name) || stopping.signal.aborted) return;
      const busy = overCap(req.node);
      if (busy !== null) {
        proofs.set(req.name, { startedAt: opts.now(), verdict: Promise.resolve(inconclusive(`not probed: ${busy}`)), over: () => undefined, settled: true });
        prune();
        return;
      }
      enter(req.node);
      let over: (at: number) => void = () => undefined;
      const lastGaspOver = new Promise<number>((resolve) => {
        over = resolve;
      });
      const proof: Proof = { startedAt: opts.now(), verdict: Promise.resolve(inconclusive('not probed')), over: () => undefined, settled: false };
      proof.over = (at) => {
        if (proof.settled) return;
        proof.settled = true;
        over(at);
      };
      const settledAt = req.detectedAt + opts.settings.settleMs;
      const timer = setTimeout(() => {
        timers.delete(timer);
        // A timer may fire a millisecond before the wall clock says so: the window ends at settledAt, never earlier.
        proof.over(Math.max(opts.now(), settledAt));
      }, Math.max(0, settledAt - opts.now()));
      timers.add(timer);
      proof.verdict = prove(req, lastGaspOver)
        .then((verdict) => {
          if (verdict.verdict === 'alive') opts.onAlive?.(req, verdict);
          return verdict;
        })
        .catch((err: unknown) => {
          if (!stopping.signal.aborted) opts.onError?.(req.name, err);
          return inconclusive(`the probe failed: ${err instanceof Error ? err.message : String(err)}`);
        })
        .finally(() => {
          leave(req.node);
          clearTimeout(timer);
          timers.delete(timer);
        });
      proofs.set(req.name, proof);
      if (req.lines.some((l) => END_OF_PANIC.test(l))) proof.over(opts.now());
      prune();
    },
    linesArrived(name, lines) {
      const p = proofs.get(name);
      if (p !== undefined && !p.settled && lines.some((l) => END_OF_PANIC.test(l))) p.over(opts.now());
    },
    verdictOf: (name) => proofs.get(name)?.verdict ?? null,
    size: () => proofs.size,
    inFlight: () => inFlightTotal,
    stop() {
      stopping.abort(new Error('collector shutting down'));
      for (const t of timers) clearTimeout(t);
      timers.clear();
      for (const p of proofs.values()) p.over(opts.now());
    },
  };
}

