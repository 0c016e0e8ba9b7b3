// The in-memory history behind the gRPC API: a bounded set of incidents with their remediation steps,
// and a bounded log of events fanned out to watchers. Pure: all time comes from the callers' `now`.
// Fed by the app: pipeline events (recordIncidentEvent), node resolution (setNode), remediation
// progress (recordStep, setPhase).
//
// Bounds, by count and by bytes (heap-size.ts), so a flood of incidents (anyone can send a "panic"
// from any address) costs a fixed amount of memory:
// - incidents: beyond maxIncidents or maxIncidentBytes, the oldest incident whose source is no Node
//   (node null) goes first; a Node's incidents go only when no such incident is left. One source
//   that is no Node keeps at most maxIncidentsPerUnknownSource incidents (its oldest go first).
// - events: beyond maxEvents or maxEventBytes, the oldest go.
// The incident just recorded, and the newest event, always stay.
import { incidentFieldBytes, lineBytes, textBytes } from '../heap-size.js';
import type { Incident, IncidentEvent } from '../types.js';
import type {
  HistoryEvent,
  HistoryEventType,
  IncidentPhase,
  IncidentRecord,
  IncidentSource,
  RemediationStep,
  WatchStart,
} from './status-source.js';

export interface IncidentHistoryLimits {
  /** Incidents retained. */
  maxIncidents: number;
  /** Bytes the retained incidents hold (kernel lines, texts, steps). */
  maxIncidentBytes: number;
  /** Incidents retained per source that is no Node. */
  maxIncidentsPerUnknownSource: number;
  /** Events retained for replay to watchers. */
  maxEvents: number;
  /** Bytes the retained events hold (each a snapshot without kernel lines). */
  maxEventBytes: number;
}

export type IncidentHistoryOptions = Partial<IncidentHistoryLimits>;

const MiB = 1024 * 1024;

export const DEFAULT_HISTORY_LIMITS: IncidentHistoryLimits = {
  maxIncidents: 1000,
  maxIncidentBytes: 24 * MiB,
  maxIncidentsPerUnknownSource: 16,
  maxEvents: 10_000,
  maxEventBytes: 8 * MiB,
};

/** What the history holds, for /metrics. */
export interface IncidentHistoryStats {
  incidents: number;
  incidentBytes: number;
  events: number;
  eventBytes: number;
}

interface Entry {
  ordinal: number;
  incident: Incident;
  node: string | null;
  phase: IncidentPhase;
  steps: RemediationStep[];
  /** Bytes of incident.lines counted so far, and how many lines that was (lines are only added until it closes). */
  linesBytes: number;
  lineCount: number;
  /** Everything the entry holds, as added to the history's total. */
  bytes: number;
}

/** The phase an incident starts in when the caller does not say: by fatality and resolution. */
export function initialPhase(incident: Incident, node: string | null): IncidentPhase {
  if (!incident.fatal) return 'observed';
  return node === null ? 'unresolved' : 'pending';
}

const PHASE_EVENTS: Partial<Record<IncidentPhase, HistoryEventType>> = {
  remediated: 'remediated',
  held: 'held',
  failed: 'failed',
  refuted: 'refuted',
};

export class IncidentHistory implements IncidentSource {
  readonly #limits: IncidentHistoryLimits;
  /** Insertion order is first-seen order. */
  readonly #entries = new Map<string, Entry>();
  /** The entries whose source is no Node (node null), first-seen order. */
  readonly #unknown = new Map<string, Entry>();
  /** Ids of those entries by source, oldest first. */
  readonly #bySource = new Map<string, Set<string>>();
  #incidentBytes = 0;
  /** Oldest first from #head; sequences strictly increasing. #eventBytes[i] is what #events[i] holds. */
  #events: HistoryEvent[] = [];
  #eventBytes: number[] = [];
  #head = 0;
  #eventBytesTotal = 0;
  #nextSequence = 1;
  #nextOrdinal = 1;
  readonly #listeners = new Set<(event: HistoryEvent) => void>();

  constructor(options: IncidentHistoryOptions = {}) {
    const limits = { ...DEFAULT_HISTORY_LIMITS, ...options };
    for (const [field, value] of Object.entries(limits)) positive(value, field);
    this.#limits = limits;
  }

  /**
   * A pipeline event. `opened` of an unknown id creates the record (phase from `resolution`, else
   * initialPhase); every other case replaces the incident and emits `updated`.
   */
  recordIncidentEvent(
    event: IncidentEvent,
    now: number,
    resolution: { node?: string | null; phase?: IncidentPhase } = {},
  ): void {
    const existing = this.#entries.get(event.incident.id);
    if (existing === undefined) {
      const node = resolution.node ?? null;
      const entry: Entry = {
        ordinal: this.#nextOrdinal++,
        incident: event.incident,
        node,
        phase: resolution.phase ?? initialPhase(event.incident, node),
        steps: [],
        linesBytes: 0,
        lineCount: 0,
        bytes: 0,
      };
      this.#entries.set(event.incident.id, entry);
      if (node === null) this.#markUnknown(entry);
      this.#account(entry, true);
      this.#evictIncidents(entry);
      this.#emit(event.type === 'opened' ? 'opened' : 'updated', entry, now);
      return;
    }
    existing.incident = event.incident;
    if (resolution.node !== undefined) this.#setNode(existing, resolution.node);
    if (resolution.phase !== undefined) existing.phase = resolution.phase;
    this.#account(existing, event.type === 'closed');
    this.#evictIncidents(existing);
    this.#emit('updated', existing, now);
  }

  /** The Node an incident's source resolved to (null: none). False when the incident is not retained. */
  setNode(id: string, node: string | null, now: number): boolean {
    const entry = this.#entries.get(id);
    if (entry === undefined) return false;
    this.#setNode(entry, node);
    this.#evictIncidents(entry);
    this.#emit('updated', entry, now);
    return true;
  }

  /** Adds a step or replaces the step of the same name. False when the incident is not retained. */
  recordStep(id: string, step: RemediationStep, now: number): boolean {
    const entry = this.#entries.get(id);
    if (entry === undefined) return false;
    const index = entry.steps.findIndex((s) => s.name === step.name);
    if (index === -1) entry.steps.push({ ...step });
    else entry.steps[index] = { ...step };
    this.#account(entry, false);
    this.#evictIncidents(entry);
    this.#emit('updated', entry, now);
    return true;
  }

  /**
   * Moves an incident to `phase`; entering remediated/held/failed emits that event type, any other
   * phase `updated`. False when the incident is not retained.
   */
  setPhase(id: string, phase: IncidentPhase, now: number): boolean {
    const entry = this.#entries.get(id);
    if (entry === undefined) return false;
    const changed = entry.phase !== phase;
    entry.phase = phase;
    this.#emit((changed ? PHASE_EVENTS[phase] : undefined) ?? 'updated', entry, now);
    return true;
  }

  listIncidents(): readonly IncidentRecord[] {
    return [...this.#entries.values()].reverse().map((e) => snapshot(e, true));
  }

  getIncident(id: string): IncidentRecord | undefined {
    const entry = this.#entries.get(id);
    return entry === undefined ? undefined : snapshot(entry, true);
  }

  replay(start: WatchStart): HistoryEvent[] | undefined {
    const events = this.#retained();
    switch (start.kind) {
      case 'now':
        return [];
      case 'after-sequence':
        return events.filter((e) => e.sequence > start.sequence);
      case 'from-incident': {
        if (!this.#entries.has(start.id)) return undefined;
        const first = events.findIndex((e) => e.record.incident.id === start.id);
        // Its own events were dropped already: everything retained came after them.
        return first === -1 ? events : events.slice(first);
      }
    }
  }

  /** The events retained, oldest first. */
  #retained(): HistoryEvent[] {
    return this.#events.slice(this.#head);
  }

  /** Incidents and events held, with their bytes. */
  stats(): IncidentHistoryStats {
    return {
      incidents: this.#entries.size,
      incidentBytes: this.#incidentBytes,
      events: this.#events.length - this.#head,
      eventBytes: this.#eventBytesTotal,
    };
  }

  subscribe(listener: (event: HistoryEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  /** Watchers currently subscribed (for tests and metrics). */
  get subscriberCount(): number {
    return this.#listeners.size;
  }

  /** The sequence number of the newest event; 0 before any. */
  get lastSequence(): number {
    return this.#nextSequence - 1;
  }

  #emit(type: HistoryEventType, entry: Entry, now: number): void {
    const event: HistoryEvent = { sequence: this.#nextSequence++, type, at: now, record: snapshot(entry, false) };
    const bytes = EVENT_OVERHEAD_BYTES + incidentFieldBytes(entry.incident) + stepsBytes(entry.steps);
    this.#events.push(event);
    this.#eventBytes.push(bytes);
    this.#eventBytesTotal += bytes;
    const limits = this.#limits;
    while (this.#events.length - this.#head > 1) {
      if (this.#events.length - this.#head <= limits.maxEvents && this.#eventBytesTotal <= limits.maxEventBytes) break;
      this.#eventBytesTotal -= this.#eventBytes[this.#head] ?? 0;
      this.#head++;
    }
    // The dropped front is cut off in one copy once it is half the array, not on every event.
    if (this.#head > 64 && this.#head * 2 > this.#events.length) {
      this.#events = this.#events.slice(this.#head);
      this.#eventBytes = this.#eventBytes.slice(this.#head);
      this.#head = 0;
    }
    for (const listener of [...this.#listeners]) listener(event);
  }

  /**
   * Recounts the entry's bytes. Lines are counted as they are added (a pipeline update only adds
   * lines); `full` recounts every line (when the incident opens or closes).
   */
  #account(entry: Entry, full: boolean): void {
    const lines = entry.incident.lines;
    if (full || lines.length < entry.lineCount) {
      entry.linesBytes = 0;
      entry.lineCount = 0;
    }
    for (let i = entry.lineCount; i < lines.length; i++) entry.linesBytes += lineBytes(lines[i] ?? '');
    entry.lineCount = lines.length;
    const bytes = ENTRY_OVERHEAD_BYTES + entry.linesBytes + incidentFieldBytes(entry.incident) + stepsBytes(entry.steps);
    this.#incidentBytes += bytes - entry.bytes;
    entry.bytes = bytes;
  }

  #setNode(entry: Entry, node: string | null): void {
    if ((entry.node === null) !== (node === null)) {
      if (node === null) this.#markUnknown(entry);
      else this.#unmarkUnknown(entry);
    }
    entry.node = node;
  }

  #markUnknown(entry: Entry): void {
    const { id, source } = entry.incident;
    this.#unknown.set(id, entry);
    let ids = this.#bySource.get(source);
    if (ids === undefined) {
      ids = new Set();
      this.#bySource.set(source, ids);
    }
    ids.add(id);
  }

  #unmarkUnknown(entry: Entry): void {
    const { id, source } = entry.incident;
    this.#unknown.delete(id);
    const ids = this.#bySource.get(source);
    ids?.delete(id);
    if (ids?.size === 0) this.#bySource.delete(source);
  }

  #remove(entry: Entry): void {
    this.#entries.delete(entry.incident.id);
    if (entry.node === null) this.#unmarkUnknown(entry);
    this.#incidentBytes -= entry.bytes;
  }

  /** Applies the bounds (see the top of this file), never dropping `keep`. */
  #evictIncidents(keep: Entry): void {
    const limits = this.#limits;
    const own = keep.node === null ? this.#bySource.get(keep.incident.source) : undefined;
    if (own !== undefined) {
      for (const id of own) {
        if (own.size <= limits.maxIncidentsPerUnknownSource) break;
        const entry = this.#entries.get(id);
        if (entry !== undefined && entry !== keep) this.#remove(entry);
      }
    }
    while (this.#entries.size > limits.maxIncidents || this.#incidentBytes > limits.maxIncidentBytes) {
      const victim = oldestBut(this.#unknown, keep) ?? oldestBut(this.#entries, keep);
      if (victim === undefined) return;
      this.#remove(victim);
    }
  }
}

/** Bytes of a retained entry beyond its texts: the entry, its incident object, maps and arrays. */
const ENTRY_OVERHEAD_BYTES = 512;
/** Bytes of one event beyond the texts it refers to: the event, its record and incident copies, the steps array. */
const EVENT_OVERHEAD_BYTES = 384;
const STEP_OVERHEAD_BYTES = 96;

/** The first entry of an insertion-ordered map that is not `keep`. */
function oldestBut(map: Map<string, Entry>, keep: Entry): Entry | undefined {
  for (const entry of map.values()) if (entry !== keep) return entry;
  return undefined;
}

function stepsBytes(steps: readonly RemediationStep[]): number {
  let bytes = 0;
  for (const step of steps) bytes += STEP_OVERHEAD_BYTES + textBytes(step.name) + textBytes(step.message);
  return bytes;
}

/**
 * The record as it stands. Step objects are shared, not copied: recordStep stores its own copy and
 * later replaces it rather than changing it, and records are read-only. Every retained event holds a
 * snapshot, so a copy per step per event would cost the replay buffer ~2 KB an event.
 */
function snapshot(entry: Entry, withLines: boolean): IncidentRecord {
  return {
    ordinal: entry.ordinal,
    incident: withLines ? entry.incident : { ...entry.incident, lines: [] },
    node: entry.node,
    phase: entry.phase,
    steps: entry.steps.slice(),
  };
}

function positive(value: number, field: string): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new RangeError(`IncidentHistory: ${field} must be a positive integer, got ${value}`);
  }
  return value;
}
