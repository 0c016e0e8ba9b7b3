// The Warning Events that explain an incident, as data: what each one says and what it is called. Names
// are deterministic (the object's name and a hash of the record and the action or namespace), so a step
// repeated by a new leader gets a 409 rather than a second Event. Pure; write-events.ts writes them.
import { createHash } from 'node:crypto';
import { nodeEventNote, podEventNote } from '../record/explain.js';
import type { RemediationRequest } from '../record/incident-record.js';
import type { EventSpec, PodRef } from './cluster-api.js';

/** The longest object name the API server accepts (a DNS subdomain). */
const MAX_NAME = 253;
/** Hex digits of the hash in an Event's name. */
const HASH_DIGITS = 12;

/** A hash of `parts`, each ended by NUL so that ("ab", "c") and ("a", "bc") differ. */
function shortHash(...parts: string[]): string {
  const h = createHash('sha256');
  for (const p of parts) h.update(p).update('\0');
  return h.digest('hex').slice(0, HASH_DIGITS);
}

/** `<objectName>.<hash of parts>`, the object's name cut so the whole stays within 253 characters. */
export function eventName(objectName: string, ...parts: string[]): string {
  // The dot and the hash, and one character to spare.
  return `${objectName.slice(0, MAX_NAME - HASH_DIGITS - 2)}.${shortHash(...parts)}`;
}

/**
 * The Event on the Node of `recordName`'s incident. `action` (Hold, Record, Remediate) is the Event's
 * action and part of its name; `sentence` ends the note, after what the kernel reported.
 */
export function nodeEvent(req: RemediationRequest, recordName: string, action: string, sentence: string): EventSpec {
  return {
    name: eventName(req.node, recordName, action),
    namespace: 'default',
    regarding: { apiVersion: 'v1', kind: 'Node', name: req.node },
    reason: req.kind,
    action,
    note: nodeEventNote(req, sentence),
    type: 'Warning',
  };
}

/** Refutation Events of one node share a name within this period, so a flood of forgeries makes one Event. */
export const REFUTED_EVENT_PERIOD_MS = 3_600_000;

/**
 * The Event on a Node whose kernel answered after a panic was reported from its address. Named by the
 * node and the hour, not the incident: the first refutation of the hour creates it, repeats get a 409.
 */
export function refutedEvent(req: RemediationRequest, now: number, proof: string): EventSpec {
  const period = Math.floor(now / REFUTED_EVENT_PERIOD_MS);
  return {
    name: eventName(req.node, 'refuted', String(period)),
    namespace: 'default',
    regarding: { apiVersion: 'v1', kind: 'Node', name: req.node },
    reason: 'LastGaspRefuted',
    action: 'Refute',
    note:
      `A kernel panic was reported from this node's address but its kernel answered afterwards: possible forged last gasp; ` +
      `nothing was done to the node or its pods (${proof}). Reported: ${req.summary}`.slice(0, 1024),
    type: 'Warning',
  };
}

/** The Event on one pod: what was done to it (or, in a dry run, what would be). */
export function podEvent(req: RemediationRequest, recordName: string, pod: PodRef, dryRun: boolean): EventSpec {
  return {
    // Named without the uid: a leader finishing this incident may know a deleted pod only by name.
    name: eventName(pod.name, recordName, pod.namespace),
    namespace: pod.namespace,
    regarding: { apiVersion: 'v1', kind: 'Pod', name: pod.name, namespace: pod.namespace, ...(pod.uid === '' ? {} : { uid: pod.uid }) },
    reason: req.kind,
    action: dryRun ? 'WouldTerminate' : 'Terminate',
    note: podEventNote(req, dryRun),
    type: 'Warning',
  };
}

/**
 * The Event of a non-fatal series: one per Node, reason and period, named by those alone so every
 * replica (and a new leader) writes the same one; the count is in its `series`.
 */
export function seriesEvent(w: { node: string; reason: string; period: number; note: string }): EventSpec {
  return {
    name: eventName(w.node, 'series', w.reason, String(w.period)),
    namespace: 'default',
    regarding: { apiVersion: 'v1', kind: 'Node', name: w.node },
    reason: w.reason,
    action: 'Record',
    note: w.note,
    type: 'Warning',
  };
}
