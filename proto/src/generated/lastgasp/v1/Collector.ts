// Original file: lastgasp/v1/collector.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { GetIncidentRequest as _lastgasp_v1_GetIncidentRequest, GetIncidentRequest__Output as _lastgasp_v1_GetIncidentRequest__Output } from '../../lastgasp/v1/GetIncidentRequest.js';
import type { GetStatusRequest as _lastgasp_v1_GetStatusRequest, GetStatusRequest__Output as _lastgasp_v1_GetStatusRequest__Output } from '../../lastgasp/v1/GetStatusRequest.js';
import type { Incident as _lastgasp_v1_Incident, Incident__Output as _lastgasp_v1_Incident__Output } from '../../lastgasp/v1/Incident.js';
import type { IncidentEvent as _lastgasp_v1_IncidentEvent, IncidentEvent__Output as _lastgasp_v1_IncidentEvent__Output } from '../../lastgasp/v1/IncidentEvent.js';
import type { ListHostsRequest as _lastgasp_v1_ListHostsRequest, ListHostsRequest__Output as _lastgasp_v1_ListHostsRequest__Output } from '../../lastgasp/v1/ListHostsRequest.js';
import type { ListHostsResponse as _lastgasp_v1_ListHostsResponse, ListHostsResponse__Output as _lastgasp_v1_ListHostsResponse__Output } from '../../lastgasp/v1/ListHostsResponse.js';
import type { ListIncidentsRequest as _lastgasp_v1_ListIncidentsRequest, ListIncidentsRequest__Output as _lastgasp_v1_ListIncidentsRequest__Output } from '../../lastgasp/v1/ListIncidentsRequest.js';
import type { ListIncidentsResponse as _lastgasp_v1_ListIncidentsResponse, ListIncidentsResponse__Output as _lastgasp_v1_ListIncidentsResponse__Output } from '../../lastgasp/v1/ListIncidentsResponse.js';
import type { Status as _lastgasp_v1_Status, Status__Output as _lastgasp_v1_Status__Output } from '../../lastgasp/v1/Status.js';
import type { WatchIncidentsRequest as _lastgasp_v1_WatchIncidentsRequest, WatchIncidentsRequest__Output as _lastgasp_v1_WatchIncidentsRequest__Output } from '../../lastgasp/v1/WatchIncidentsRequest.js';

export interface CollectorClient extends grpc.Client {
  GetIncident(argument: _lastgasp_v1_GetIncidentRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_lastgasp_v1_Incident__Output>): grpc.ClientUnaryCall;
  GetIncident(argument: _lastgasp_v1_GetIncidentRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_lastgasp_v1_Incident__Output>): grpc.ClientUnaryCall;
  GetIncident(argument: _lastgasp_v1_GetIncidentRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_lastgasp_v1_Incident__Output>): grpc.ClientUnaryCall;
  GetIncident(argument: _lastgasp_v1_GetIncidentRequest, callback: grpc.requestCallback<_lastgasp_v1_Incident__Output>): grpc.ClientUnaryCall;
  getIncident(argument: _lastgasp_v1_GetIncidentRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_lastgasp_v1_Incident__Output>): grpc.ClientUnaryCall;
  getIncident(argument: _lastgasp_v1_GetIncidentRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_lastgasp_v1_Incident__Output>): grpc.ClientUnaryCall;
  getIncident(argument: _lastgasp_v1_GetIncidentRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_lastgasp_v1_Incident__Output>): grpc.ClientUnaryCall;
  getIncident(argument: _lastgasp_v1_GetIncidentRequest, callback: grpc.requestCallback<_lastgasp_v1_Incident__Output>): grpc.ClientUnaryCall;
  
  GetStatus(argument: _lastgasp_v1_GetStatusRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_lastgasp_v1_Status__Output>): grpc.ClientUnaryCall;
  GetStatus(argument: _lastgasp_v1_GetStatusRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_lastgasp_v1_Status__Output>): grpc.ClientUnaryCall;
  GetStatus(argument: _lastgasp_v1_GetStatusRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_lastgasp_v1_Status__Output>): grpc.ClientUnaryCall;
  GetStatus(argument: _lastgasp_v1_GetStatusRequest, callback: grpc.requestCallback<_lastgasp_v1_Status__Output>): grpc.ClientUnaryCall;
  getStatus(argument: _lastgasp_v1_GetStatusRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_lastgasp_v1_Status__Output>): grpc.ClientUnaryCall;
  getStatus(argument: _lastgasp_v1_GetStatusRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_lastgasp_v1_Status__Output>): grpc.ClientUnaryCall;
  getStatus(argument: _lastgasp_v1_GetStatusRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_lastgasp_v1_Status__Output>): grpc.ClientUnaryCall;
  getStatus(argument: _lastgasp_v1_GetStatusRequest, callback: grpc.requestCallback<_lastgasp_v1_Status__Output>): grpc.ClientUnaryCall;
  
  ListHosts(argument: _lastgasp_v1_ListHostsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_lastgasp_v1_ListHostsResponse__Output>): grpc.ClientUnaryCall;
  ListHosts(argument: _lastgasp_v1_ListHostsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_lastgasp_v1_ListHostsResponse__Output>): grpc.ClientUnaryCall;
  ListHosts(argument: _lastgasp_v1_ListHostsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_lastgasp_v1_ListHostsResponse__Output>): grpc.ClientUnaryCall;
  ListHosts(argument: _lastgasp_v1_ListHostsRequest, callback: grpc.requestCallback<_lastgasp_v1_ListHostsResponse__Output>): grpc.ClientUnaryCall;
  listHosts(argument: _lastgasp_v1_ListHostsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_lastgasp_v1_ListHostsResponse__Output>): grpc.ClientUnaryCall;
  listHosts(argument: _lastgasp_v1_ListHostsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_lastgasp_v1_ListHostsResponse__Output>): grpc.ClientUnaryCall;
  listHosts(argument: _lastgasp_v1_ListHostsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_lastgasp_v1_ListHostsResponse__Output>): grpc.ClientUnaryCall;
  listHosts(argument: _lastgasp_v1_ListHostsRequest, callback: grpc.requestCallback<_lastgasp_v1_ListHostsResponse__Output>): grpc.ClientUnaryCall;
  
  ListIncidents(argument: _lastgasp_v1_ListIncidentsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_lastgasp_v1_ListIncidentsResponse__Output>): grpc.ClientUnaryCall;
  ListIncidents(argument: _lastgasp_v1_ListIncidentsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_lastgasp_v1_ListIncidentsResponse__Output>): grpc.ClientUnaryCall;
  ListIncidents(argument: _lastgasp_v1_ListIncidentsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_lastgasp_v1_ListIncidentsResponse__Output>): grpc.ClientUnaryCall;
  ListIncidents(argument: _lastgasp_v1_ListIncidentsRequest, callback: grpc.requestCallback<_lastgasp_v1_ListIncidentsResponse__Output>): grpc.ClientUnaryCall;
  listIncidents(argument: _lastgasp_v1_ListIncidentsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_lastgasp_v1_ListIncidentsResponse__Output>): grpc.ClientUnaryCall;
  listIncidents(argument: _lastgasp_v1_ListIncidentsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_lastgasp_v1_ListIncidentsResponse__Output>): grpc.ClientUnaryCall;
  listIncidents(argument: _lastgasp_v1_ListIncidentsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_lastgasp_v1_ListIncidentsResponse__Output>): grpc.ClientUnaryCall;
  listIncidents(argument: _lastgasp_v1_ListIncidentsRequest, callback: grpc.requestCallback<_lastgasp_v1_ListIncidentsResponse__Output>): grpc.ClientUnaryCall;
  
  WatchIncidents(argument: _lastgasp_v1_WatchIncidentsRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_lastgasp_v1_IncidentEvent__Output>;
  WatchIncidents(argument: _lastgasp_v1_WatchIncidentsRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_lastgasp_v1_IncidentEvent__Output>;
  watchIncidents(argument: _lastgasp_v1_WatchIncidentsRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_lastgasp_v1_IncidentEvent__Output>;
  watchIncidents(argument: _lastgasp_v1_WatchIncidentsRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_lastgasp_v1_IncidentEvent__Output>;
  
}

export interface CollectorHandlers extends grpc.UntypedServiceImplementation {
  GetIncident: grpc.handleUnaryCall<_lastgasp_v1_GetIncidentRequest__Output, _lastgasp_v1_Incident>;
  
  GetStatus: grpc.handleUnaryCall<_lastgasp_v1_GetStatusRequest__Output, _lastgasp_v1_Status>;
  
  ListHosts: grpc.handleUnaryCall<_lastgasp_v1_ListHostsRequest__Output, _lastgasp_v1_ListHostsResponse>;
  
  ListIncidents: grpc.handleUnaryCall<_lastgasp_v1_ListIncidentsRequest__Output, _lastgasp_v1_ListIncidentsResponse>;
  
  WatchIncidents: grpc.handleServerStreamingCall<_lastgasp_v1_WatchIncidentsRequest__Output, _lastgasp_v1_IncidentEvent>;
  
}

export interface CollectorDefinition extends grpc.ServiceDefinition {
  GetIncident: MethodDefinition<_lastgasp_v1_GetIncidentRequest, _lastgasp_v1_Incident, _lastgasp_v1_GetIncidentRequest__Output, _lastgasp_v1_Incident__Output>
  GetStatus: MethodDefinition<_lastgasp_v1_GetStatusRequest, _lastgasp_v1_Status, _lastgasp_v1_GetStatusRequest__Output, _lastgasp_v1_Status__Output>
  ListHosts: MethodDefinition<_lastgasp_v1_ListHostsRequest, _lastgasp_v1_ListHostsResponse, _lastgasp_v1_ListHostsRequest__Output, _lastgasp_v1_ListHostsResponse__Output>
  ListIncidents: MethodDefinition<_lastgasp_v1_ListIncidentsRequest, _lastgasp_v1_ListIncidentsResponse, _lastgasp_v1_ListIncidentsRequest__Output, _lastgasp_v1_ListIncidentsResponse__Output>
  WatchIncidents: MethodDefinition<_lastgasp_v1_WatchIncidentsRequest, _lastgasp_v1_IncidentEvent, _lastgasp_v1_WatchIncidentsRequest__Output, _lastgasp_v1_IncidentEvent__Output>
}
