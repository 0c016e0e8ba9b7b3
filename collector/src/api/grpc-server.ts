// The gRPC server: lastgasp.v1.Collector, grpc.health.v1.Health and server reflection on one listener.
// Health is NOT_SERVING until setServing(true) and again from close() on; the Collector service answers
// UNAVAILABLE meanwhile. close() ends watch streams, waits for calls in flight up to the grace period,
// then cuts whatever is left: it cannot hang on a client.
import { loadSync } from '@grpc/proto-loader';
import { ReflectionService } from '@grpc/reflection';
import { loadPackageDefinition, Server, ServerCredentials } from '@grpc/grpc-js';
import {
  COLLECTOR_PROTO,
  COLLECTOR_SERVICE,
  LOADER_OPTIONS,
  loadCollectorPackageDefinition,
  type ProtoGrpcType,
} from '@lastgasp/proto';
import { HealthImplementation, protoPath as healthProtoPath } from 'grpc-health-check';
import { createCollectorService, type ServingState } from './collector-service.js';
import type { ApiLogger } from './logger.js';
import { reflectionDefinition } from './reflection-descriptors.js';
import type { StatusSource } from './status-source.js';
import { createReloadingCredentials, type ReloadingCredentials, type TlsFiles } from './tls-credentials.js';

export interface GrpcServerOptions {
  /** host:port; port 0 picks a free one. IPv6 hosts in brackets, e.g. `[::]:6667`. */
  listen: string;
  source: StatusSource;
  /** A health service to register and drive; one is created when absent. */
  health?: HealthImplementation;
  tls?: TlsFiles;
  logger: ApiLogger;
}

export interface GrpcServer {
  /** host:port as bound, with the real port. */
  address: string;
  port: number;
  /** SERVING (true) or NOT_SERVING (false) for health, and whether Collector calls are answered. */
  setServing(serving: boolean): void;
  /** Open WatchIncidents streams. */
  watchCount(): number;
  /** Re-reads the TLS files now (no-op without TLS); true when new material was taken. */
  reloadTls(): Promise<boolean>;
  /** Stops: NOT_SERVING, watch streams ended, calls in flight get `graceMs`, then are cut. */
  close(graceMs: number): Promise<void>;
}

/** Health names driven by setServing: the whole server ('') and the Collector service. */
const HEALTH_NAMES = ['', COLLECTOR_SERVICE];

function splitListen(listen: string): { host: string; port: number } {
  const match = /^(\[[0-9a-fA-F:.]+\]|[^:[\]]+):(\d{1,5})$/.exec(listen);
  const port = Number(match?.[2]);
  if (match === null || match[1] === undefined || port > 65535) {
    throw new RangeError(`grpcListen: expected HOST:PORT (IPv6 in brackets), got "${listen}"`);
  }
  return { host: match[1], port };
}

export async function startGrpcServer(options: GrpcServerOptions): Promise<GrpcServer> {
  const { source, logger } = options;
  const { host } = splitListen(options.listen);
  let state: ServingState = 'starting';
  const health = options.health ?? new HealthImplementation();
  for (const name of HEALTH_NAMES) health.setStatus(name, 'NOT_SERVING');

  const packageDefinition = loadCollectorPackageDefinition();
  const proto = loadPackageDefinition(packageDefinition) as unknown as ProtoGrpcType;
  const collector = createCollectorService({ source, state: () => state, logger });

  const server = new Server();
  server.addService(proto.lastgasp.v1.Collector.service, collector.handlers);
  health.addToServer(server);
  // Reflection describes the .proto as written (snake_case field names); the wire format is the same.
  const described = { ...LOADER_OPTIONS, keepCase: true };
  new ReflectionService(
    reflectionDefinition({ ...loadSync(COLLECTOR_PROTO, described), ...loadSync(healthProtoPath, described) }),
  ).addToServer(server);

  let tls: ReloadingCredentials | null = null;
  if (options.tls !== undefined) tls = createReloadingCredentials(options.tls, logger);
  const credentials = tls?.credentials ?? ServerCredentials.createInsecure();
  let port: number;
  try {
    port = await new Promise<number>((resolve, reject) => {
      server.bindAsync(options.listen, credentials, (err, bound) => (err ? reject(err) : resolve(bound)));
    });
  } catch (err) {
    tls?.close();
    server.forceShutdown();
    throw new Error(`grpcListen: cannot listen on ${options.listen}: ${(err as Error).message}`, { cause: err });
  }
  const address = `${host}:${port}`;
  logger.info({ address, tls: tls !== null, mtls: options.tls?.clientCaFile !== undefined }, 'gRPC API listening');

  let closing: Promise<void> | null = null;
  function shutdown(graceMs: number): Promise<void> {
    state = 'stopping';
    for (const name of HEALTH_NAMES) health.setStatus(name, 'NOT_SERVING');
    collector.endWatches();
    return new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(force);
        tls?.close();
        resolve();
      };
      const force = setTimeout(() => {
        logger.warn({ graceMs }, 'gRPC calls still open after the grace period; closing them');
        server.forceShutdown();
        done();
      }, graceMs);
      server.tryShutdown(done);
    });
  }

  return {
    address,
    port,
    setServing(serving) {
      if (state === 'stopping') return;
      state = serving ? 'serving' : 'starting';
      for (const name of HEALTH_NAMES) health.setStatus(name, serving ? 'SERVING' : 'NOT_SERVING');
    },
    watchCount: () => collector.watchCount(),
    reloadTls: () => tls?.reload() ?? Promise.resolve(false),
    close(graceMs) {
      closing ??= shutdown(graceMs);
      return closing;
    },
  };
}
