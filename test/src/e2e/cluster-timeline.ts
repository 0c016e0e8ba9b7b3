// Watches Pods, Nodes and NodeIncidents from the test process and stamps every change with the host's
// clock, so a scenario can say when each step of a remediation became visible in the API, and what the
// objects looked like just before they were deleted (pods are force-deleted: the watch is the witness).
import { Watch, type KubeConfig, type V1Node, type V1Pod } from '@kubernetes/client-node';

export type TimelineKind =
  | 'pod-added'
  | 'pod-annotated'
  | 'pod-failed'
  | 'pod-deleted'
  | 'node-annotated'
  | 'node-deleted'
  | 'incident-created';

export interface TimelineEvent {
  /** ms since the epoch, host clock, when the watch event arrived. */
  at: number;
  kind: TimelineKind;
  /** `namespace/name` for pods, the name otherwise. */
  name: string;
}

export interface ClusterTimeline {
  events(): readonly TimelineEvent[];
  /** The first event of `kind` (for `name`, when given) at or after `since`. */
  first(kind: TimelineKind, since?: number, name?: string): TimelineEvent | undefined;
  /** Pods as last seen, including the final state of deleted ones. */
  pod(key: string): V1Pod | undefined;
  stop(): void;
}

interface NodeIncidentLike {
  metadata?: { name?: string };
}

const podKey = (p: V1Pod): string => `${p.metadata?.namespace ?? ''}/${p.metadata?.name ?? ''}`;

export function isDisrupted(p: V1Pod | undefined): boolean {
  return p?.status?.phase === 'Failed' && (p.status.conditions ?? []).some((c) => c.type === 'DisruptionTarget' && c.status === 'True');
}

export async function startClusterTimeline(kc: KubeConfig, annotationPrefix: string): Promise<ClusterTimeline> {
  const events: TimelineEvent[] = [];
  const pods = new Map<string, V1Pod>();
  const seen = new Set<string>();
  const record = (kind: TimelineKind, name: string): void => {
    if (kind !== 'pod-deleted' && kind !== 'node-deleted' && seen.has(`${kind} ${name}`)) return;
    seen.add(`${kind} ${name}`);
    events.push({ at: Date.now(), kind, name });
  };
  // The collector writes `<prefix>/incident` with the rest of its explanation, on pods and on the Node.
  const hasOurAnnotation = (a: Record<string, string> | undefined): boolean => a?.[`${annotationPrefix}/incident`] !== undefined;
  const watch = new Watch(kc);
  const controllers: AbortController[] = [];
  let stopped = false;
  const start = async (path: string, onEvent: (type: string, obj: unknown) => void): Promise<void> => {
    const restart = (): void => {
      if (!stopped) setTimeout(() => void start(path, onEvent).catch(() => restart()), 500);
    };
    controllers.push(await watch.watch(path, {}, onEvent, restart));
  };
  await start('/api/v1/pods', (type, obj) => {
    const p = obj as V1Pod;
    const key = podKey(p);
    pods.set(key, p);
    if (type === 'ADDED') record('pod-added', key);
    if (hasOurAnnotation(p.metadata?.annotations)) record('pod-annotated', key);
    if (isDisrupted(p)) record('pod-failed', key);
    if (type === 'DELETED') record('pod-deleted', key);
  });
  await start('/api/v1/nodes', (type, obj) => {
    const n = obj as V1Node;
    const name = n.metadata?.name ?? '';
    if (hasOurAnnotation(n.metadata?.annotations)) record('node-annotated', name);
    if (type === 'DELETED') record('node-deleted', name);
  });
  await start('/apis/lastgasp.dev/v1alpha1/nodeincidents', (type, obj) => {
    if (type === 'ADDED') record('incident-created', (obj as NodeIncidentLike).metadata?.name ?? '');
  });
  return {
    events: () => events,
    first: (kind, since = 0, name) => events.find((e) => e.kind === kind && e.at >= since && (name === undefined || e.name === name)),
    pod: (key) => pods.get(key),
    stop: () => {
      stopped = true;
      for (const c of controllers) c.abort();
    },
  };
}
