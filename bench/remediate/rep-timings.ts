// Pure bookkeeping for one repetition: what each watch event says about a pod or the Node, and the
// latencies that follow. Times are `performance.now()` values in ms; latencies are relative to the
// moment the panic line was sent.

export interface PodLike {
  metadata?: { name?: string; annotations?: Record<string, string>; deletionTimestamp?: Date | string };
  status?: { phase?: string; conditions?: { type?: string; status?: string }[] };
}

export interface PodMarks {
  running: boolean;
  /** First event that showed the reason annotation. */
  annotatedAt: number | null;
  /** First event that showed condition DisruptionTarget=True. */
  disruptedAt: number | null;
  /** First event that showed a deletionTimestamp. */
  markedForDeletionAt: number | null;
  /** The DELETED event. */
  goneAt: number | null;
}

export function emptyMarks(): PodMarks {
  return { running: false, annotatedAt: null, disruptedAt: null, markedForDeletionAt: null, goneAt: null };
}

/** Updates `marks` from one watch event (`ADDED`, `MODIFIED`, `DELETED`) seen at `at`. */
export function observePod(marks: PodMarks, type: string, pod: PodLike, at: number, annotationKey: string): void {
  marks.running = pod.status?.phase === 'Running';
  if (marks.annotatedAt === null && pod.metadata?.annotations?.[annotationKey] !== undefined) marks.annotatedAt = at;
  const disrupted = (pod.status?.conditions ?? []).some((c) => c.type === 'DisruptionTarget' && c.status === 'True');
  if (marks.disruptedAt === null && disrupted) marks.disruptedAt = at;
  if (marks.markedForDeletionAt === null && pod.metadata?.deletionTimestamp !== undefined) marks.markedForDeletionAt = at;
  if (type === 'DELETED' && marks.goneAt === null) marks.goneAt = at;
}

export interface RepResult {
  /** Every pod carries the annotation and the DisruptionTarget condition. */
  annotatedMs: number;
  /** The first pod carries both: the collector's fixed cost before the pod work. */
  firstAnnotatedMs: number;
  /** Every pod is gone. */
  podsGoneMs: number;
  nodeGoneMs: number;
  /** Median over pods of annotated → condition and condition → gone, ms. */
  medianAnnotateToFailMs: number;
  medianFailToGoneMs: number;
}

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] as number;
}

/**
 * Latencies of a finished repetition, or an error naming what a pod lacked (a pod deleted without
 * the annotation or the condition was not explained, which the benchmark must not count as done).
 */
export function summarise(pods: ReadonlyMap<string, PodMarks>, nodeGoneAt: number | null, sentAt: number): RepResult | Error {
  const explained: number[] = [];
  const gone: number[] = [];
  const annotateToFail: number[] = [];
  const failToGone: number[] = [];
  for (const [name, m] of pods) {
    if (m.annotatedAt === null || m.disruptedAt === null) {
      return new Error(`pod ${name} ${m.goneAt === null ? 'is' : 'was deleted'} without ${m.annotatedAt === null ? 'the annotation' : 'the DisruptionTarget condition'}`);
    }
    if (m.goneAt === null) return new Error(`pod ${name} is not gone`);
    explained.push(Math.max(m.annotatedAt, m.disruptedAt) - sentAt);
    gone.push(m.goneAt - sentAt);
    annotateToFail.push(m.disruptedAt - m.annotatedAt);
    failToGone.push(m.goneAt - m.disruptedAt);
  }
  if (nodeGoneAt === null) return new Error('the Node is not gone');
  if (pods.size === 0) return new Error('no pods were watched');
  return {
    annotatedMs: Math.max(...explained),
    firstAnnotatedMs: Math.min(...explained),
    podsGoneMs: Math.max(...gone),
    nodeGoneMs: nodeGoneAt - sentAt,
    medianAnnotateToFailMs: percentile(annotateToFail, 50),
    medianFailToGoneMs: percentile(failToGone, 50),
  };
}
