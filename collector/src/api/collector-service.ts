// The lastgasp.v1.Collector handlers: read the status source, map every failure through toServiceError,
// answer UNAVAILABLE unless serving, and keep track of open watch streams so shutdown can end them.
import { status, type sendUnaryData, type ServerUnaryCall, type ServerWritableStream } from '@grpc/grpc-js';
import type {
  CollectorHandlers,
  IncidentEvent as IncidentEventMessage,
  WatchIncidentsRequest__Output,
} from '@lastgasp/proto';
import { ApiError, invalidArgument, notFound, toServiceError, unavailable } from './errors.js';
import { listHosts } from './list-hosts.js';
import { listIncidents } from './list-incidents.js';
import type { ApiLogger } from './logger.js';
import type { HistoryEvent, StatusSource, WatchStart } from './status-source.js';
import { eventMessage, incidentMessage, statusMessage } from './to-proto.js';

export type ServingState = 'starting' | 'serving' | 'stopping';

/**
 * Events a watcher may have queued and not yet taken; beyond it the client is too slow and its stream
 * ends with RESOURCE_EXHAUSTED (it can resume with after_sequence). Above the history's default
 * retention so that a full replay fits.
 */
export const MAX_QUEUED_EVENTS = 16384;

export interface CollectorService {
  handlers: CollectorHandlers;
  /** Ends every open watch stream with OK. */
  endWatches(): void;
  watchCount(): number;
}

export function createCollectorService(options: {
  source: StatusSource;
  state: () => ServingState;
  logger: ApiLogger;
}): CollectorService {
  const { source, state, logger } = options;
  const watches = new Set<() => void>();

  function gate(): void {
    const s = state();
    if (s === 'starting') throw unavailable('collector is starting');
    if (s === 'stopping') throw unavailable('collector is shutting down');
  }

  function fail(method: string, err: unknown): ReturnType<typeof toServiceError> {
    if (!(err instanceof ApiError)) logger.error({ err, method }, 'gRPC handler failed');
    return toServiceError(err);
  }

  /** `handle` answers at once or with a promise; either way its failures go through `fail`. */
  function unary<Req, Res>(method: string, handle: (request: Req) => Res | Promise<Res>) {
    return (call: ServerUnaryCall<Req, Res>, callback: sendUnaryData<Res>): void => {
      let response: Res | Promise<Res>;
      try {
        gate();
        response = handle(call.request);
      } catch (err) {
        callback(fail(method, err));
        return;
      }
      if (!(response instanceof Promise)) {
        callback(null, response);
        return;
      }
      response.then(
        (res) => callback(null, res),
        (err: unknown) => callback(fail(method, err)),
      );
    };
  }

  function watch(call: ServerWritableStream<WatchIncidentsRequest__Output, IncidentEventMessage>): void {
    const pending: HistoryEvent[] = [];
    let open = true;
    let unsubscribe: () => void = () => undefined;
    const finish = (how: () => void): void => {
      if (!open) return;
      open = false;
      unsubscribe();
      watches.delete(endOk);
      how();
    };
    const endOk = (): void => finish(() => call.end());
    const flush = (): void => {
      for (let event = pending.shift(); open && event !== undefined; event = pending.shift()) {
        if (call.writableLength >= MAX_QUEUED_EVENTS) {
          const resumeAfter = event.sequence - 1;
          finish(() =>
            call.emit('error', {
              code: status.RESOURCE_EXHAUSTED,
              details: `watcher fell ${MAX_QUEUED_EVENTS} events behind; resume with after_sequence=${resumeAfter}`,
            }),
          );
          return;
        }
        call.write(eventMessage(event));
      }
    };
    try {
      gate();
      const start = watchStart(call.request);
      // replay and subscribe in one tick: nothing is missed or repeated between them.
      const backlog = source.replay(start);
      if (backlog === undefined) throw notFound(`incident "${call.request.fromIncidentId ?? ''}"`);
      pending.push(...backlog);
      unsubscribe = source.subscribe((event) => {
        pending.push(event);
        flush();
      });
    } catch (err) {
      open = false;
      call.emit('error', fail('WatchIncidents', err));
      return;
    }
    watches.add(endOk);
    call.on('cancelled', () => finish(() => undefined));
    call.on('error', () => finish(() => undefined));
    flush();
  }

  const handlers: CollectorHandlers = {
    GetStatus: unary('GetStatus', async () => statusMessage(await source.getStatus())),
    ListHosts: unary('ListHosts', (request: Parameters<typeof listHosts>[1]) => listHosts(source.listHosts(), request)),
    ListIncidents: unary('ListIncidents', (request: Parameters<typeof listIncidents>[1]) =>
      listIncidents(source.listIncidents(), request),
    ),
    GetIncident: unary('GetIncident', (request: { id: string }) => {
      if (request.id === '') throw invalidArgument('id', 'required');
      const record = source.getIncident(request.id);
      if (record === undefined) throw notFound(`incident "${request.id}"`);
      return incidentMessage(record, true);
    }),
    WatchIncidents: watch,
  };

  return {
    handlers,
    endWatches: () => {
      for (const end of [...watches]) end();
    },
    watchCount: () => watches.size,
  };
}

function watchStart(request: WatchIncidentsRequest__Output): WatchStart {
  switch (request.start) {
    case 'fromIncidentId':
      if (request.fromIncidentId === undefined || request.fromIncidentId === '') {
        throw invalidArgument('from_incident_id', 'must not be empty');
      }
      return { kind: 'from-incident', id: request.fromIncidentId };
    case 'afterSequence':
      return { kind: 'after-sequence', sequence: request.afterSequence ?? 0 };
    default:
      return { kind: 'now' };
  }
}
