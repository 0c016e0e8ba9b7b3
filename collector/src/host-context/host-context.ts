// Host context stage: feeds one host's records, in order, through the incident state machine
//   normal → incident open (capturing trailing records) → closed
// A fatal record opens a fatal incident at once (remediation must not wait for the trailer) and
// closes any open non-fatal one, taking it as its cause. Pure: time comes in as `now`.
// Strings kept per host beyond a record's own text (kernel release, canary node, userdata) are copies,
// so they never keep the record's text or datagram alive; everything kept is counted (host-state.ts).
import { createHash } from 'node:crypto';
import type { Classifier } from '../classify/classifier.js';
import { kernelReleaseFromText } from '../classify/kernel-release.js';
import { copyText, textBytes } from '../heap-size.js';
import type { Rule } from '../classify/rules.js';
import type { KernelRecord } from '../types.js';
import { CANARY_PREFIX, PANIC_LINE_STATES, type Incident, type IncidentCause, type IncidentEvent } from '../types.js';
import { clearRing, entryBytes, entryCost, entryLine, insertEntry, insertSorted, type ContextEntry } from './context-ring.js';
import type { HostState, OpenIncident } from './host-state.js';

export interface HostContextLimits {
  /** Records kept per host as context before an incident. */
  ringRecords: number;
  /** Bytes of text kept per host as context. */
  ringBytes: number;
  /** Records captured after an incident's key record before it is closed. */
  trailingRecords: number;
  /** Bytes of text an incident may hold; it is closed when it would grow beyond. */
  incidentBytes: number;
  /** ms without a record from the host after which an open incident is closed. */
  quietMs: number;
  /** Record distance (sequence numbers, or legacy lines) within which an earlier incident is a cause. */
  causeWindow: number;
  /** ms after a fatal incident's last record after which the host may report a new one (it rebooted). */
  rearmMs: number;
}

export const DEFAULT_HOST_CONTEXT_LIMITS: HostContextLimits = {
  ringRecords: 64,
  ringBytes: 16 * 1024,
  trailingRecords: 200,
  incidentBytes: 256 * 1024,
  quietMs: 2000,
  causeWindow: 256,
  rearmMs: 10_000,
};

export interface HostContextEnv {
  classifier: Classifier;
  limits: HostContextLimits;
  /** Legacy console text cannot show whether the kernel or a process wrote it. */
  trustLegacy: boolean;
  emit(event: IncidentEvent): void;
  /** Called for records from userspace (or refused legacy) whose text matched an incident rule. */
  onUntrustedMatch(rule: Rule): void;
}

const CANARY_NODE = /\bnode=(\S+)/;
const CANARY_PANIC_LINE = /\bpanic-line=(\S+)/;

/** Processes one complete record. `order` is its sequence number or legacy arrival counter. */
export function ingestRecord(host: HostState, record: KernelRecord, order: number, now: number, env: HostContextEnv): void {
  host.lastRecordAt = now;
  host.records++;
  if (record.release !== null) setKernelRelease(host, record.release);
  if (record.text.startsWith(CANARY_PREFIX)) noteCanary(host, record.text, now);
  const trusted = record.format === 'legacy' ? env.trustLegacy : record.facility === 0;
  let rule = record.text === '' ? null : env.classifier.match(record.text);
  if (rule !== null && !trusted) {
    env.onUntrustedMatch(rule);
    rule = null;
  }
  const release = trusted ? kernelReleaseFromText(record.text) : null;
  if (release !== null) setKernelRelease(host, release);
  const cause = rule?.cause === true ? { kind: rule.reason, summary: record.text } : null;
  const entry: ContextEntry = {
    order,
    seq: record.seq,
    timestampUs: record.timestampUs,
    text: record.text,
    cause,
    bytes: entryCost(record.text, cause),
  };
  insertEntry(host.ring, entry, env.limits.ringRecords, env.limits.ringBytes);
  if (host.fatalAt !== null && now - host.fatalAt > env.limits.rearmMs && host.open?.incident.fatal !== true) {
    host.fatalAt = null;
  }
  const arrival: Arrival = { record, entry, now };
  if (rule !== null && shouldOpen(host, rule, record)) {
    openIncident(host, rule, arrival, env);
    return;
  }
  if (host.open !== null) addToOpen(host, host.open, arrival, env);
}

/** The agent's path check arrived; its node name is a slice of the text: keep a copy, and only when it changed. */
function noteCanary(host: HostState, text: string, now: number): void {
  host.lastCanaryAt = now;
  const node = CANARY_NODE.exec(text)?.[1] ?? null;
  if (node !== host.lastCanaryNode) host.lastCanaryNode = node === null ? null : copyText(node);
  // A constant of the contract, never a slice of the record.
  const state = CANARY_PANIC_LINE.exec(text)?.[1];
  host.lastCanaryPanicLine = PANIC_LINE_STATES.find((s) => s === state) ?? null;
}

/** A release from a header or a register dump is a slice of it: keep a copy, and only when it changed. */
function setKernelRelease(host: HostState, release: string): void {
  if (release !== host.kernelRelease) host.kernelRelease = copyText(release);
}

/** Closes the open incident when the host has been quiet for quietMs. Returns whether one closed. */
export function closeIfQuiet(host: HostState, now: number, env: HostContextEnv): boolean {
  if (host.open === null || host.lastRecordAt === null) return false;
  if (now - host.lastRecordAt < env.limits.quietMs) return false;
  closeOpen(host, now, env);
  return true;
}

/** When closeIfQuiet would first close the open incident (ms), or null with nothing open. */
export function closeDeadline(host: HostState, quietMs: number): number | null {
  return host.open === null || host.lastRecordAt === null ? null : host.lastRecordAt + quietMs;
}

/** The host rebooted (sequence reset or legacy clock going back): close and forget its boot. */
export function resetBoot(host: HostState, now: number, env: HostContextEnv): void {
  if (host.open !== null) closeOpen(host, now, env);
  clearRing(host.ring);
  host.fatalAt = null;
  host.lastCause = null;
}

/**
 * The host's last fatal incident was refuted (its kernel answered the proof-of-death probe): it did not
 * die, so its next fatal record must open a new incident at once instead of waiting out `rearmMs` (a
 * forged panic must not mask the real one that follows). The open fatal incident, if still open, closes.
 */
export function rearmFatal(host: HostState, now: number, env: HostContextEnv): void {
  if (host.open?.incident.fatal === true) closeOpen(host, now, env);
  host.fatalAt = null;
}

/** Closes whatever is open (the host is being evicted or the pipeline is shutting down). */
export function closeOpen(host: HostState, now: number, env: HostContextEnv): void {
  const open = host.open;
  if (open === null) return;
  host.open = null;
  open.incident.closedAt = now;
  open.incident.updatedAt = now;
  if (open.incident.fatal) host.fatalAt = now;
  env.emit({ type: 'closed', incident: snapshot(open) });
}

function shouldOpen(host: HostState, rule: Rule, record: KernelRecord): boolean {
  if (rule.fatal) {
    return host.fatalAt === null && !(hasIdentity(record) && host.fatalKeys.includes(recordIdentity(host, rule, record)));
  }
  if (host.fatalAt !== null) return false; // the rest of a panic's output belongs to it
  if (host.open === null) return true;
  // The same report again (a second OOM kill, another hung task) is an incident of its own, so each is
  // counted; a cause-capable report while only a non-cause (e.g. a warning) is open starts its own too.
  return rule.reason === host.open.incident.kind || (rule.cause && !host.open.causeCapable);
}

/** A record being processed, its ring entry and the time it arrived. */
interface Arrival {
  record: KernelRecord;
  entry: ContextEntry;
  now: number;
}

function openIncident(host: HostState, rule: Rule, arrival: Arrival, env: HostContextEnv): void {
  const { record, entry: key, now } = arrival;
  const cause = rule.fatal ? findCause(host, key.order, env.limits.causeWindow) : null;
  if (host.open !== null) closeOpen(host, now, env);
  const identity = recordIdentity(host, rule, record);
  if (rule.fatal) {
    host.fatalAt = now;
    if (hasIdentity(record)) host.fatalKeys = [...host.fatalKeys.slice(-3), identity];
  } else if (rule.cause) {
    host.lastCause = { cause: { kind: rule.reason, summary: record.text }, order: key.order };
  }
  const entries = host.ring.entries.slice();
  const incident: Incident = {
    id: createHash('sha256').update(identity).digest('hex').slice(0, 20),
    source: host.address,
    kind: rule.reason,
    fatal: rule.fatal,
    summary: record.text,
    cause,
    // Set from this record already when it carried one (setKernelRelease): the host's own copy.
    kernelRelease: host.kernelRelease,
    userdata: { ...record.userdata },
    format: record.format,
    firstSeq: null,
    lastSeq: null,
    lines: [],
    openedAt: now,
    updatedAt: now,
    closedAt: null,
  };
  const open: OpenIncident = {
    incident,
    entries,
    bytes: entries.reduce((sum, entry) => sum + entryBytes(entry), userdataBytes(incident.userdata)),
    keyOrder: key.order,
    causeCapable: rule.cause,
    trailing: 0,
  };
  host.open = open;
  host.incidents++;
  env.emit({ type: 'opened', incident: snapshot(open) });
}

function addToOpen(host: HostState, open: OpenIncident, arrival: Arrival, env: HostContextEnv): void {
  const { record, entry, now } = arrival;
  const incident = open.incident;
  insertSorted(open.entries, entry);
  open.bytes += entryBytes(entry);
  if (entry.order > open.keyOrder) open.trailing++;
  else if (incident.fatal && incident.cause === null && entry.cause !== null) incident.cause = entry.cause;
  if (incident.kernelRelease === null) incident.kernelRelease = host.kernelRelease;
  for (const [key, value] of Object.entries(record.userdata)) {
    if (!Object.hasOwn(incident.userdata, key)) {
      Object.defineProperty(incident.userdata, key, { value, enumerable: true, writable: true, configurable: true });
      open.bytes += pairBytes(key, value);
    }
  }
  incident.updatedAt = now;
  const ends = incident.fatal ? env.classifier.isEndOfPanic(record.text) : env.classifier.isEndOfTrace(record.text);
  if (ends || open.trailing >= env.limits.trailingRecords || open.bytes > env.limits.incidentBytes) {
    closeOpen(host, now, env);
    return;
  }
  env.emit({ type: 'updated', incident: snapshot(open) });
}

/** A property of a dictionary-mode object: key, value and details. */
const USERDATA_PROPERTY_BYTES = 24;

/** Bytes of one userdata pair: key, value and the property slot. */
function pairBytes(key: string, value: string): number {
  return textBytes(key) + textBytes(value) + USERDATA_PROPERTY_BYTES;
}

function userdataBytes(userdata: Record<string, string>): number {
  let bytes = 0;
  for (const [key, value] of Object.entries(userdata)) bytes += pairBytes(key, value);
  return bytes;
}

function findCause(host: HostState, keyOrder: number, window: number): IncidentCause | null {
  const open = host.open;
  if (open !== null && !open.incident.fatal && open.causeCapable) {
    return { kind: open.incident.kind, summary: open.incident.summary };
  }
  const last = host.lastCause;
  if (last !== null && keyOrder >= last.order && keyOrder - last.order <= window) return { ...last.cause };
  const entries = host.ring.entries;
  for (let i = entries.length - 1; i >= 0; i--) {
    const entry = entries[i];
    if (entry === undefined || entry.order >= keyOrder) continue;
    if (keyOrder - entry.order > window) break;
    if (entry.cause !== null) return { ...entry.cause };
  }
  return null;
}

/**
 * What identifies a key record across collector replicas: the kernel's own sequence number and
 * timestamp in extended format; the printk timestamp (or, without one, the text) in legacy format.
 */
function recordIdentity(host: HostState, rule: Rule, record: KernelRecord): string {
  if (record.format === 'extended') return `extended|${host.address}|${record.seq}|${record.timestampUs}`;
  return `legacy|${host.address}|${rule.reason}|${record.timestampUs ?? record.text}`;
}

/** Legacy lines without a printk timestamp carry nothing that tells one panic from a repeat of it. */
function hasIdentity(record: KernelRecord): boolean {
  return record.format === 'extended' || record.timestampUs !== null;
}

function snapshot(open: OpenIncident): Incident {
  const incident = open.incident;
  let firstSeq: number | null = null;
  let lastSeq: number | null = null;
  for (const entry of open.entries) {
    if (entry.seq === null) continue;
    firstSeq ??= entry.seq;
    lastSeq = entry.seq;
  }
  return {
    ...incident,
    cause: incident.cause === null ? null : { ...incident.cause },
    userdata: { ...incident.userdata },
    firstSeq,
    lastSeq,
    lines: open.entries.map(entryLine),
  };
}
