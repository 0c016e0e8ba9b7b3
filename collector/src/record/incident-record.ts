// The NodeIncident custom resource (CRD: deploy/helm/lastgasp/crds/nodeincidents.lastgasp.dev.yaml):
// its deterministic name, its body, and reading one back into a remediation request. Pure.
import { createHash } from 'node:crypto';
import { isReasonCode, type Incident, type IncidentCause, type ReasonCode } from '../types.js';

export const NODE_INCIDENT_GROUP = 'lastgasp.dev';
export const NODE_INCIDENT_VERSION = 'v1alpha1';
export const NODE_INCIDENT_PLURAL = 'nodeincidents';
export const NODE_INCIDENT_KIND = 'NodeIncident';

export const PHASES = ['Detected', 'Remediating', 'Remediated', 'Held', 'Failed', 'Recorded', 'Refuted'] as const;
export type Phase = (typeof PHASES)[number];
/** Phases after which nothing more happens without an operator. Held waits for a release annotation. */
export const FINAL_PHASES: readonly Phase[] = ['Remediated', 'Failed', 'Recorded', 'Refuted'];

export const MAX_CONTEXT_LINES = 200;
export const MAX_LINE_CHARS = 1024;
export const MAX_AFFECTED_PODS = 500;

/** Everything remediation needs about one incident on one Node; built from an Incident or a record. */
export interface RemediationRequest {
  incidentId: string;
  node: string;
  source: string;
  kind: ReasonCode;
  fatal: boolean;
  summary: string;
  cause: IncidentCause | null;
  kernelRelease: string | null;
  lines: string[];
  /** ms since the epoch, when the collector first classified the incident. */
  detectedAt: number;
}

/** The proof-of-death verdict as the record keeps it (`status.proof`): written before anything destructive. */
export interface RecordedProof {
  verdict: 'alive' | 'dead' | 'inconclusive';
  /** How it was decided, e.g. `no answer from 10.0.0.7:10250 in 3 attempts over 400 ms`. */
  summary: string;
  /** The replica that probed. */
  provedBy: string;
  /** RFC 3339. */
  at: string;
}

const VERDICTS: readonly string[] = ['alive', 'dead', 'inconclusive'];

/** `status.proof` of a NodeIncident object, or null when absent or malformed. */
export function proofOf(obj: unknown): RecordedProof | null {
  const p = (obj as { status?: { proof?: Partial<Record<keyof RecordedProof, unknown>> } } | null)?.status?.proof;
  if (typeof p !== 'object' || p === null) return null;
  const { verdict, summary, provedBy, at } = p;
  if (typeof verdict !== 'string' || !VERDICTS.includes(verdict)) return null;
  if (typeof summary !== 'string' || typeof provedBy !== 'string' || typeof at !== 'string') return null;
  return { verdict: verdict as RecordedProof['verdict'], summary, provedBy, at };
}

export interface NodeIncidentStatus {
  phase?: Phase;
  proof?: RecordedProof;
  reason?: string;
  message?: string;
  dryRun?: boolean;
  affectedPods?: string[];
  podsDeleted?: number;
  nodeAction?: string;
  remediatedBy?: string;
  startedAt?: string;
  completedAt?: string;
  lastTransitionTime?: string;
}

export interface NodeIncidentObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string>; resourceVersion?: string };
  spec: Record<string, unknown>;
  status?: NodeIncidentStatus;
}

export function requestFromIncident(incident: Incident, node: string): RemediationRequest {
  return {
    incidentId: incident.id,
    node,
    source: incident.source,
    kind: incident.kind,
    fatal: incident.fatal,
    summary: incident.summary,
    cause: incident.cause,
    kernelRelease: incident.kernelRelease,
    lines: incident.lines,
    detectedAt: incident.openedAt,
  };
}

/**
 * `<node>-<10 hex of sha256(incident id)>`: a valid DNS subdomain, ≤ 253 characters, the same on every
 * replica for the same incident, different for two incidents of one node.
 */
export function recordName(incidentId: string, node: string): string {
  const hash = createHash('sha256').update(incidentId).update('\0').update(node).digest('hex').slice(0, 10);
  const base = node.toLowerCase().replace(/[^a-z0-9.-]/g, '-').slice(0, 253 - 11).replace(/[.-]+$/, '');
  return `${base === '' ? 'node' : base}-${hash}`;
}

export function capLines(lines: readonly string[]): string[] {
  return lines.slice(-MAX_CONTEXT_LINES).map((l) => (l.length > MAX_LINE_CHARS ? l.slice(0, MAX_LINE_CHARS) : l));
}

export function buildRecord(req: RemediationRequest, identity: string): NodeIncidentObject {
  const spec: Record<string, unknown> = {
    node: req.node,
    incidentId: req.incidentId,
    source: req.source,
    kind: req.kind,
    fatal: req.fatal,
    summary: req.summary,
    detectedAt: new Date(req.detectedAt).toISOString(),
    detectedBy: identity,
    contextLines: capLines(req.lines),
  };
  if (req.cause !== null) spec.cause = { kind: req.cause.kind, summary: req.cause.summary };
  if (req.kernelRelease !== null) spec.kernelRelease = req.kernelRelease;
  return {
    apiVersion: `${NODE_INCIDENT_GROUP}/${NODE_INCIDENT_VERSION}`,
    kind: NODE_INCIDENT_KIND,
    metadata: { name: recordName(req.incidentId, req.node), labels: { [`${NODE_INCIDENT_GROUP}/node`]: labelValue(req.node) } },
    spec,
  };
}

function labelValue(text: string): string {
  return text.slice(0, 63).replace(/[^A-Za-z0-9_.-]/g, '-').replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, '');
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function str(v: unknown): string | null {
  return typeof v === 'string' ? v : null;
}

export function isPhase(v: unknown): v is Phase {
  return typeof v === 'string' && (PHASES as readonly string[]).includes(v);
}

export function phaseOf(obj: unknown): Phase | null {
  if (!isObject(obj) || !isObject(obj.status)) return null;
  return isPhase(obj.status.phase) ? obj.status.phase : null;
}

export function annotationsOf(obj: unknown): Record<string, string> {
  if (!isObject(obj) || !isObject(obj.metadata) || !isObject(obj.metadata.annotations)) return {};
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(obj.metadata.annotations)) if (typeof v === 'string') out[k] = v;
  return out;
}

/** Reads a NodeIncident back (e.g. a new leader finishing it). Null when the object is not one of ours. */
export function requestFromRecord(obj: unknown): RemediationRequest | null {
  if (!isObject(obj) || !isObject(obj.spec)) return null;
  const s = obj.spec;
  const node = str(s.node);
  const incidentId = str(s.incidentId);
  const summary = str(s.summary);
  const detectedAt = Date.parse(str(s.detectedAt) ?? '');
  if (node === null || incidentId === null || summary === null || !isReasonCode(s.kind) || Number.isNaN(detectedAt)) {
    return null;
  }
  const cause = isObject(s.cause) && isReasonCode(s.cause.kind) ? { kind: s.cause.kind, summary: str(s.cause.summary) ?? '' } : null;
  return {
    incidentId,
    node,
    source: str(s.source) ?? '',
    kind: s.kind,
    fatal: s.fatal === true,
    summary,
    cause,
    kernelRelease: str(s.kernelRelease),
    lines: Array.isArray(s.contextLines) ? s.contextLines.filter((l): l is string => typeof l === 'string') : [],
    detectedAt,
  };
}
