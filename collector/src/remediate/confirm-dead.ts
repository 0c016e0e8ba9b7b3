// confirm mode: before destroying anything, wait until the node looks dead to Kubernetes too — its
// kubelet Lease (kube-node-lease/<node>) not renewed for a while, or the Node gone. Ready=False alone is
// not proof: the Node's status can be written by more than its kubelet, and a node can be NotReady and
// alive (a runtime or network plugin down).

export interface NodeLiveness {
  exists: boolean;
  /** Ready condition status is "True". */
  ready: boolean;
  /** ms since the epoch of the kubelet Lease's renewTime; null without a Lease. */
  leaseRenewedAt: number | null;
}

/** Pure. `staleMs`: a Lease not renewed for this long counts as stopped. */
export function looksDead(l: NodeLiveness, now: number, staleMs: number): string | null {
  if (!l.exists) return 'the Node no longer exists';
  if (l.leaseRenewedAt !== null && now - l.leaseRenewedAt >= staleMs) {
    return `the kubelet Lease was last renewed ${Math.round((now - l.leaseRenewedAt) / 1000)}s ago`;
  }
  return null;
}

export interface ConfirmOptions {
  probe: () => Promise<NodeLiveness>;
  now: () => number;
  sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  timeoutMs: number;
  staleMs: number;
  pollMs: number;
  signal: AbortSignal;
}

/** The reason the node counts as dead, or null when it still looked alive at the deadline. */
export async function waitUntilDead(opts: ConfirmOptions): Promise<string | null> {
  const deadline = opts.now() + opts.timeoutMs;
  for (;;) {
    const reason = looksDead(await opts.probe(), opts.now(), opts.staleMs);
    if (reason !== null) return reason;
    if (opts.now() >= deadline) return null;
    await opts.sleep(Math.min(opts.pollMs, Math.max(0, deadline - opts.now())), opts.signal);
  }
}
