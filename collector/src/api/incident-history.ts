// The in-memory history behind the gRPC API: a bounded set of incidents with their remediation steps,
// and a bounded log of events fanned out to watchers. Pure: all time comes from the callers' `now`.
// Fed by the app: pipeline events (recordIncidentEvent), node resolution (setNode), remediation
// progress (recordStep, setPhase).
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

export interface IncidentHistoryOptions {
  /** Incidents retained; the oldest (first seen) are dropped beyond it. Default 1000. */
  maxIncidents?: number;
  /** Events retained for replay; the oldest are dropped beyond it. Default 10000. */
  maxEvents?: number;
}

interface Entry {
  ordinal: number;
  incident: Incident;
  node: string | null;
  phase: IncidentPhase;
  steps: RemediationStep[];
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
};

export class IncidentHistory implements IncidentSource {
  readonly #maxIncidents: number;
  readonly #maxEvents: number;
  /** Insertion order is first-seen order. */
  readonly #entries = new Map<string, Entry>();
  /** Oldest first; sequences strictly increasing. */
  #events: HistoryEvent[] = [];
  #nextSequence = 1;
  #nextOrdinal = 1;
  readonly #listeners = new Set<(event: HistoryEvent) => void>();

  constructor(options: IncidentHistoryOptions = {}) {
    this.#maxIncidents = positive(options.maxIncidents ?? 1000, 'maxIncidents');
    this.#maxEvents = positive(options.maxEvents ?? 10000, 'maxEvents');
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
      };
      this.#entries.set(event.incident.id, entry);
      this.#evictIncidents();
      this.#emit(event.type === 'opened' ? 'opened' : 'updated', entry, now);
      return;
    }
    existing.incident = event.incident;
    if (resolution.node !== undefined) existing.node = resolution.node;
    if (resolution.phase !== undefined) existing.phase = resolution.phase;
    this.#emit('updated', existing, now);
  }

  /** The Node an incident's source resolved to (null: none). False when the incident is not retained. */
  setNode(id: string, node: string | null, now: number): boolean {
    const entry = this.#entries.get(id);
    if (entry === undefined) return false;
    entry.node = node;
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

  /** The newest `maxEvents` events (the array may hold a few more until the next trim). */
  #retained(): HistoryEvent[] {
    return this.#events.slice(Math.max(0, this.#events.length - this.#maxEvents));
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
    this.#events.push(event);
    // Trimmed in steps of an eighth, not on every event: copying the whole buffer per event cost
    // O(maxEvents) each time once it was full.
    if (this.#events.length > this.#maxEvents + Math.max(1, this.#maxEvents >> 3)) {
      this.#events = this.#retained();
    }
    for (const listener of [...this.#listeners]) listener(event);
  }

  #evictIncidents(): void {
    while (this.#entries.size > this.#maxIncidents) {
      const oldest = this.#entries.keys().next();
      if (oldest.done === true) return;
      this.#entries.delete(oldest.value);
    }
  }
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
