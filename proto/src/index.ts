// The lastgasp.v1 API: where its .proto lives, how it is loaded, and the TypeScript types generated
// from it (by `npm run generate -w proto`; never edited by hand).
import { fromJSON, loadSync, type Options, type PackageDefinition } from '@grpc/proto-loader';
import { fileURLToPath } from 'node:url';

/** The folder holding `lastgasp/v1/collector.proto` (the include root for the loader). */
export const PROTO_ROOT = fileURLToPath(new URL('..', import.meta.url));
export const COLLECTOR_PROTO = 'lastgasp/v1/collector.proto';
export const COLLECTOR_SERVICE = 'lastgasp.v1.Collector';

/**
 * Loader options. They must match the generator's options in scripts/generate.mjs: 64-bit integers
 * arrive as JS numbers (counters and sequence numbers stay far below 2^53), enums as their names,
 * unset scalars as their defaults, unset messages as null, and oneofs name the field that is set.
 */
export const LOADER_OPTIONS: Options = {
  keepCase: false,
  longs: Number,
  enums: String,
  defaults: true,
  oneofs: true,
  includeDirs: [PROTO_ROOT],
};

/**
 * Set by a bundler that leaves the .proto files behind (the one-file CLI, esbuild `define`): the API's
 * descriptor as protobufjs JSON, made from the same .proto at bundle time.
 */
declare const LASTGASP_BUNDLED_PROTO: string | undefined;

export function loadCollectorPackageDefinition(): PackageDefinition {
  if (typeof LASTGASP_BUNDLED_PROTO === 'string') return fromJSON(JSON.parse(LASTGASP_BUNDLED_PROTO) as Parameters<typeof fromJSON>[0], LOADER_OPTIONS);
  return loadSync(COLLECTOR_PROTO, LOADER_OPTIONS);
}

export type { ProtoGrpcType } from './generated/collector.js';
export type { CollectorClient, CollectorHandlers } from './generated/lastgasp/v1/Collector.js';
export type { Counters, Counters__Output } from './generated/lastgasp/v1/Counters.js';
export type { GetIncidentRequest, GetIncidentRequest__Output } from './generated/lastgasp/v1/GetIncidentRequest.js';
export type { GetStatusRequest, GetStatusRequest__Output } from './generated/lastgasp/v1/GetStatusRequest.js';
export type { Host, Host__Output } from './generated/lastgasp/v1/Host.js';
export type { Incident, Incident__Output } from './generated/lastgasp/v1/Incident.js';
export type { IncidentCause, IncidentCause__Output } from './generated/lastgasp/v1/IncidentCause.js';
export type { IncidentEvent, IncidentEvent__Output } from './generated/lastgasp/v1/IncidentEvent.js';
export type { IncidentEventType, IncidentEventType__Output } from './generated/lastgasp/v1/IncidentEventType.js';
export type { IncidentPhase, IncidentPhase__Output } from './generated/lastgasp/v1/IncidentPhase.js';
export type { ListHostsRequest, ListHostsRequest__Output } from './generated/lastgasp/v1/ListHostsRequest.js';
export type { ListHostsResponse, ListHostsResponse__Output } from './generated/lastgasp/v1/ListHostsResponse.js';
export type { ListIncidentsRequest, ListIncidentsRequest__Output } from './generated/lastgasp/v1/ListIncidentsRequest.js';
export type { ListIncidentsResponse, ListIncidentsResponse__Output } from './generated/lastgasp/v1/ListIncidentsResponse.js';
export type { Listener, Listener__Output } from './generated/lastgasp/v1/Listener.js';
export type { NodeAction, NodeAction__Output } from './generated/lastgasp/v1/NodeAction.js';
export type { Policy, Policy__Output } from './generated/lastgasp/v1/Policy.js';
export type { PolicyMode, PolicyMode__Output } from './generated/lastgasp/v1/PolicyMode.js';
export type { RemediationStep, RemediationStep__Output } from './generated/lastgasp/v1/RemediationStep.js';
export type { Status, Status__Output } from './generated/lastgasp/v1/Status.js';
export type { Reachability, Reachability__Output } from './generated/lastgasp/v1/Reachability.js';
export type { StepOutcome, StepOutcome__Output } from './generated/lastgasp/v1/StepOutcome.js';
export type { StormLimits, StormLimits__Output } from './generated/lastgasp/v1/StormLimits.js';
export type { WatchIncidentsRequest, WatchIncidentsRequest__Output } from './generated/lastgasp/v1/WatchIncidentsRequest.js';
export type { Timestamp, Timestamp__Output } from './generated/google/protobuf/Timestamp.js';
