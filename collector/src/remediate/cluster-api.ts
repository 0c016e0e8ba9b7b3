// The Kubernetes calls remediation needs, as one narrow interface. Each method is one logical step,
// idempotent: "already done" (404 on delete/patch of something gone, 409 on create) is a success value.
// Transient failures are thrown; the caller retries. Unit tests use an in-memory stand-in.
import type { NodeIncidentObject, NodeIncidentStatus } from '../record/incident-record.js';
import type { NodeLiveness } from './confirm-dead.js';

export interface PodRef {
  namespace: string;
  name: string;
  uid: string;
}

export interface ObjectRef {
  apiVersion: string;
  kind: string;
  name: string;
  namespace?: string;
  uid?: string;
}

export interface EventSpec {
  /** Deterministic, so a repeated step is a 409 rather than a duplicate Event. */
  name: string;
  namespace: string;
  regarding: ObjectRef;
  reason: string;
  action: string;
  note: string;
  type: 'Warning' | 'Normal';
}

export interface Taint {
  key: string;
  value: string;
  effect: 'NoExecute' | 'NoSchedule' | 'PreferNoSchedule';
}

export type Gone = 'done' | 'gone';

/** How often an Event series' reason occurred, and when first and last (ms). */
export interface SeriesCount {
  count: number;
  firstAt: number;
  lastAt: number;
}

/** Writes a non-fatal Event series (report/): creates the Event (`create`) or updates its series count. */
export interface SeriesApi {
  writeEventSeries(event: EventSpec, series: SeriesCount, create: boolean): Promise<void>;
}

export interface ClusterApi {
  /** 'exists' when a record of that name was already there. */
  createIncident(body: NodeIncidentObject): Promise<'created' | 'exists'>;
  getIncident(name: string): Promise<unknown>;
  patchIncidentStatus(name: string, status: NodeIncidentStatus): Promise<Gone>;
  patchIncidentContext(name: string, contextLines: string[]): Promise<Gone>;
  listPodsOnNode(node: string): Promise<PodRef[]>;
  /**
   * Explains and fails a pod in one write: the annotations, phase Failed and the DisruptionTarget
   * condition land together (a pod is never seen failed without its reason).
   */
  failPod(pod: PodRef, condition: { reason: string; message: string }, annotations: Record<string, string>): Promise<Gone>;
  /** Grace period 0, precondition on uid (a same-named replacement is never touched). */
  deletePod(pod: PodRef): Promise<Gone>;
  createEvent(event: EventSpec): Promise<void>;
  /**
   * One write: the annotations, and spec.unschedulable = true so no replacement pod is scheduled onto
   * the dying Node.
   */
  cordonNode(node: string, annotations: Record<string, string>): Promise<Gone>;
  taintNode(node: string, taint: Taint): Promise<Gone>;
  deleteNode(node: string): Promise<Gone>;
  nodeUid(node: string): Promise<string | null>;
  nodeLiveness(node: string): Promise<NodeLiveness>;
  /** A cheap request (the server's version) through the same connection pool; keeps it warm. */
  ping(): Promise<void>;
}
