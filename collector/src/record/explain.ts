// The words people read: the termination-reason sentence, the annotations, Event notes. Pure.
import { annotationKey } from '@lastgasp/proto/contract';
import type { ReasonCode } from '../types.js';
import type { RemediationRequest } from './incident-record.js';

const KIND_PHRASE: Record<ReasonCode, string> = {
  KernelPanic: 'a kernel panic',
  KernelOops: 'a kernel oops',
  KernelBug: 'a kernel BUG',
  HardLockup: 'a hard lockup',
  SoftLockup: 'a soft lockup',
  TaskHung: 'a hung task',
  RCUStall: 'an RCU stall',
  OOMKilling: 'an out-of-memory kill',
  MachineCheck: 'a machine check exception',
  KernelWarning: 'a kernel warning',
};

export function kindPhrase(kind: ReasonCode): string {
  return KIND_PHRASE[kind];
}

/** Keeps annotation values and Event notes readable and within API limits (Event note ≤ 1 kB). */
export function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

function causeClause(req: RemediationRequest): string {
  if (req.cause === null) return '';
  return `, after ${kindPhrase(req.cause.kind)} ("${clip(req.cause.summary, 200)}")`;
}

/** One sentence for `<prefix>/termination-reason`: what happened, on which node, the line and its cause. */
export function terminationReason(req: RemediationRequest): string {
  const at = new Date(req.detectedAt).toISOString();
  return (
    `Node ${req.node} died in ${kindPhrase(req.kind)} at ${at}: its kernel reported "${clip(req.summary, 300)}"` +
    `${causeClause(req)}; the pod was marked Failed and force-deleted because its kubelet is gone.`
  );
}

export interface ExplainAnnotations {
  prefix: string;
  identity: string;
  recordName: string;
}

export function remediationAnnotations(req: RemediationRequest, a: ExplainAnnotations): Record<string, string> {
  return {
    [annotationKey(a.prefix, 'termination-reason')]: terminationReason(req),
    [annotationKey(a.prefix, 'terminated-by')]: a.identity,
    [annotationKey(a.prefix, 'reason-code')]: req.kind,
    [annotationKey(a.prefix, 'incident')]: a.recordName,
  };
}

export function releaseAnnotation(prefix: string): string {
  return annotationKey(prefix, 'release');
}

export function podEventNote(req: RemediationRequest, dryRun: boolean): string {
  const what = dryRun ? 'Dry run: would mark this pod Failed and delete it' : 'Marked Failed and force-deleted';
  return clip(`${what}: node ${req.node} died in ${kindPhrase(req.kind)}: "${req.summary}"${causeClause(req)}`, 1000);
}

export function nodeEventNote(req: RemediationRequest, action: string): string {
  return clip(`${kindPhrase(req.kind)} reported by the node's kernel: "${req.summary}"${causeClause(req)}. ${action}`, 1000);
}
