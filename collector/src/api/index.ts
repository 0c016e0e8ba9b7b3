// The collector's gRPC status API, for the app to start and feed.
export { startGrpcServer, type GrpcServer, type GrpcServerOptions } from './grpc-server.js';
export { IncidentHistory, initialPhase, type IncidentHistoryOptions } from './incident-history.js';
export { apiPhase } from './record-phase.js';
export { TlsConfigError, type TlsFiles } from './tls-credentials.js';
export type { ApiLogger } from './logger.js';
export * from './status-source.js';
