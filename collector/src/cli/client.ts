// A promise-shaped client of lastgasp.v1.Collector, for the CLI (and tests). Connection options map to
// grpc-js credentials; every unary call carries a deadline.
import {
  credentials as grpcCredentials,
  loadPackageDefinition,
  type ChannelCredentials,
  type ClientReadableStream,
  type requestCallback,
} from '@grpc/grpc-js';
import {
  loadCollectorPackageDefinition,
  type CollectorClient,
  type GetIncidentRequest,
  type Incident__Output,
  type IncidentEvent__Output,
  type ListHostsRequest,
  type ListHostsResponse__Output,
  type ListIncidentsRequest,
  type ListIncidentsResponse__Output,
  type ProtoGrpcType,
  type Status__Output,
  type WatchIncidentsRequest,
} from '@lastgasp/proto';
import { readFileSync } from 'node:fs';

export interface ConnectOptions {
  /** host:port. */
  server: string;
  /** TLS to the server; implied by any of ca/cert/key. */
  tls?: boolean;
  /** PEM CA bundle that signed the server certificate; default: the system roots. */
  caFile?: string | undefined;
  /** Client certificate and key (PEM), for servers that require mTLS. */
  certFile?: string | undefined;
  keyFile?: string | undefined;
  /** Deadline of each unary call, ms. Default 10000. */
  timeoutMs?: number;
  /** grpc-js channel options, e.g. `grpc.use_local_subchannel_pool`. */
  channelOptions?: Record<string, string | number>;
}

export interface CollectorApi {
  getStatus(): Promise<Status__Output>;
  listHosts(request: ListHostsRequest): Promise<ListHostsResponse__Output>;
  listIncidents(request: ListIncidentsRequest): Promise<ListIncidentsResponse__Output>;
  getIncident(request: GetIncidentRequest): Promise<Incident__Output>;
  /** `deadline`: ms since the epoch after which the stream ends with DEADLINE_EXCEEDED. */
  watchIncidents(request: WatchIncidentsRequest, options?: { deadline?: number }): ClientReadableStream<IncidentEvent__Output>;
  close(): void;
}

/** A file option that cannot be read; `option` names the flag. */
export class ClientOptionError extends Error {
  override readonly name = 'ClientOptionError';
  readonly code = 'ERR_LASTGASP_CLIENT_OPTION';
  constructor(
    readonly option: string,
    message: string,
  ) {
    super(`${option}: ${message}`);
  }
}

function readPem(path: string | undefined, option: string): Buffer | null {
  if (path === undefined) return null;
  try {
    return readFileSync(path);
  } catch (err) {
    throw new ClientOptionError(option, `cannot read ${path}: ${(err as Error).message}`);
  }
}

export function channelCredentials(options: ConnectOptions): ChannelCredentials {
  const secure = options.tls === true || [options.caFile, options.certFile, options.keyFile].some((f) => f !== undefined);
  if (!secure) return grpcCredentials.createInsecure();
  if ((options.certFile === undefined) !== (options.keyFile === undefined)) {
    throw new ClientOptionError(options.certFile === undefined ? '--cert' : '--key', '--cert and --key go together');
  }
  return grpcCredentials.createSsl(
    readPem(options.caFile, '--ca'),
    readPem(options.keyFile, '--key'),
    readPem(options.certFile, '--cert'),
  );
}

export function connect(options: ConnectOptions, creds: ChannelCredentials = channelCredentials(options)): CollectorApi {
  const proto = loadPackageDefinition(loadCollectorPackageDefinition()) as unknown as ProtoGrpcType;
  const client: CollectorClient = new proto.lastgasp.v1.Collector(options.server, creds, options.channelOptions ?? {});
  const timeoutMs = options.timeoutMs ?? 10_000;
  const callOptions = () => ({ deadline: Date.now() + timeoutMs });
  function unary<Res>(invoke: (done: requestCallback<Res>) => void): Promise<Res> {
    return new Promise<Res>((resolve, reject) => {
      invoke((err, value) => {
        if (err !== null) reject(err);
        else if (value === undefined) reject(new Error('empty response'));
        else resolve(value);
      });
    });
  }
  return {
    getStatus: () => unary<Status__Output>((done) => client.getStatus({}, callOptions(), done)),
    listHosts: (request) => unary<ListHostsResponse__Output>((done) => client.listHosts(request, callOptions(), done)),
    listIncidents: (request) =>
      unary<ListIncidentsResponse__Output>((done) => client.listIncidents(request, callOptions(), done)),
    getIncident: (request) => unary<Incident__Output>((done) => client.getIncident(request, callOptions(), done)),
    watchIncidents: (request, watchOptions = {}) => client.watchIncidents(request, watchOptions),
    close: () => client.close(),
  };
}
