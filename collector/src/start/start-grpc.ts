// The gRPC status API on its configured address, with TLS when a certificate and key are configured
// (and client certificates checked when a CA is). It starts NOT_SERVING; the app turns it on once every
// stage is up.
import type { Logger } from 'pino';
import { startGrpcServer, type GrpcServer, type StatusSource, type TlsFiles } from '../api/index.js';
import type { CollectorConfig, ListenAddress } from '../config/config.js';

function hostPort(a: ListenAddress): string {
  return a.host.includes(':') ? `[${a.host}]:${a.port}` : `${a.host}:${a.port}`;
}

function tlsFiles(grpc: CollectorConfig['grpc']): TlsFiles | undefined {
  if (grpc.tlsCert === null || grpc.tlsKey === null) return undefined;
  return { certFile: grpc.tlsCert, keyFile: grpc.tlsKey, clientCaFile: grpc.clientCa ?? undefined };
}

export function startGrpc(config: CollectorConfig, source: StatusSource, logger: Logger): Promise<GrpcServer> {
  return startGrpcServer({ listen: hostPort(config.grpcListen), source, logger, tls: tlsFiles(config.grpc) });
}
