import type * as grpc from '@grpc/grpc-js';
import type { EnumTypeDefinition, MessageTypeDefinition } from '@grpc/proto-loader';

import type { BoolValue as _google_protobuf_BoolValue, BoolValue__Output as _google_protobuf_BoolValue__Output } from './google/protobuf/BoolValue.js';
import type { BytesValue as _google_protobuf_BytesValue, BytesValue__Output as _google_protobuf_BytesValue__Output } from './google/protobuf/BytesValue.js';
import type { DoubleValue as _google_protobuf_DoubleValue, DoubleValue__Output as _google_protobuf_DoubleValue__Output } from './google/protobuf/DoubleValue.js';
import type { FloatValue as _google_protobuf_FloatValue, FloatValue__Output as _google_protobuf_FloatValue__Output } from './google/protobuf/FloatValue.js';
import type { Int32Value as _google_protobuf_Int32Value, Int32Value__Output as _google_protobuf_Int32Value__Output } from './google/protobuf/Int32Value.js';
import type { Int64Value as _google_protobuf_Int64Value, Int64Value__Output as _google_protobuf_Int64Value__Output } from './google/protobuf/Int64Value.js';
import type { StringValue as _google_protobuf_StringValue, StringValue__Output as _google_protobuf_StringValue__Output } from './google/protobuf/StringValue.js';
import type { Timestamp as _google_protobuf_Timestamp, Timestamp__Output as _google_protobuf_Timestamp__Output } from './google/protobuf/Timestamp.js';
import type { UInt32Value as _google_protobuf_UInt32Value, UInt32Value__Output as _google_protobuf_UInt32Value__Output } from './google/protobuf/UInt32Value.js';
import type { UInt64Value as _google_protobuf_UInt64Value, UInt64Value__Output as _google_protobuf_UInt64Value__Output } from './google/protobuf/UInt64Value.js';
import type { CollectorClient as _lastgasp_v1_CollectorClient, CollectorDefinition as _lastgasp_v1_CollectorDefinition } from './lastgasp/v1/Collector.js';
import type { Counters as _lastgasp_v1_Counters, Counters__Output as _lastgasp_v1_Counters__Output } from './lastgasp/v1/Counters.js';
import type { GetIncidentRequest as _lastgasp_v1_GetIncidentRequest, GetIncidentRequest__Output as _lastgasp_v1_GetIncidentRequest__Output } from './lastgasp/v1/GetIncidentRequest.js';
import type { GetStatusRequest as _lastgasp_v1_GetStatusRequest, GetStatusRequest__Output as _lastgasp_v1_GetStatusRequest__Output } from './lastgasp/v1/GetStatusRequest.js';
import type { Host as _lastgasp_v1_Host, Host__Output as _lastgasp_v1_Host__Output } from './lastgasp/v1/Host.js';
import type { Incident as _lastgasp_v1_Incident, Incident__Output as _lastgasp_v1_Incident__Output } from './lastgasp/v1/Incident.js';
import type { IncidentCause as _lastgasp_v1_IncidentCause, IncidentCause__Output as _lastgasp_v1_IncidentCause__Output } from './lastgasp/v1/IncidentCause.js';
import type { IncidentEvent as _lastgasp_v1_IncidentEvent, IncidentEvent__Output as _lastgasp_v1_IncidentEvent__Output } from './lastgasp/v1/IncidentEvent.js';
import type { ListHostsRequest as _lastgasp_v1_ListHostsRequest, ListHostsRequest__Output as _lastgasp_v1_ListHostsRequest__Output } from './lastgasp/v1/ListHostsRequest.js';
import type { ListHostsResponse as _lastgasp_v1_ListHostsResponse, ListHostsResponse__Output as _lastgasp_v1_ListHostsResponse__Output } from './lastgasp/v1/ListHostsResponse.js';
import type { ListIncidentsRequest as _lastgasp_v1_ListIncidentsRequest, ListIncidentsRequest__Output as _lastgasp_v1_ListIncidentsRequest__Output } from './lastgasp/v1/ListIncidentsRequest.js';
import type { ListIncidentsResponse as _lastgasp_v1_ListIncidentsResponse, ListIncidentsResponse__Output as _lastgasp_v1_ListIncidentsResponse__Output } from './lastgasp/v1/ListIncidentsResponse.js';
import type { Listener as _lastgasp_v1_Listener, Listener__Output as _lastgasp_v1_Listener__Output } from './lastgasp/v1/Listener.js';
import type { Policy as _lastgasp_v1_Policy, Policy__Output as _lastgasp_v1_Policy__Output } from './lastgasp/v1/Policy.js';
import type { Reachability as _lastgasp_v1_Reachability, Reachability__Output as _lastgasp_v1_Reachability__Output } from './lastgasp/v1/Reachability.js';
import type { RemediationStep as _lastgasp_v1_RemediationStep, RemediationStep__Output as _lastgasp_v1_RemediationStep__Output } from './lastgasp/v1/RemediationStep.js';
import type { Status as _lastgasp_v1_Status, Status__Output as _lastgasp_v1_Status__Output } from './lastgasp/v1/Status.js';
import type { StormLimits as _lastgasp_v1_StormLimits, StormLimits__Output as _lastgasp_v1_StormLimits__Output } from './lastgasp/v1/StormLimits.js';
import type { WatchIncidentsRequest as _lastgasp_v1_WatchIncidentsRequest, WatchIncidentsRequest__Output as _lastgasp_v1_WatchIncidentsRequest__Output } from './lastgasp/v1/WatchIncidentsRequest.js';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  google: {
    protobuf: {
      BoolValue: MessageTypeDefinition<_google_protobuf_BoolValue, _google_protobuf_BoolValue__Output>
      BytesValue: MessageTypeDefinition<_google_protobuf_BytesValue, _google_protobuf_BytesValue__Output>
      DoubleValue: MessageTypeDefinition<_google_protobuf_DoubleValue, _google_protobuf_DoubleValue__Output>
      FloatValue: MessageTypeDefinition<_google_protobuf_FloatValue, _google_protobuf_FloatValue__Output>
      Int32Value: MessageTypeDefinition<_google_protobuf_Int32Value, _google_protobuf_Int32Value__Output>
      Int64Value: MessageTypeDefinition<_google_protobuf_Int64Value, _google_protobuf_Int64Value__Output>
      StringValue: MessageTypeDefinition<_google_protobuf_StringValue, _google_protobuf_StringValue__Output>
      Timestamp: MessageTypeDefinition<_google_protobuf_Timestamp, _google_protobuf_Timestamp__Output>
      UInt32Value: MessageTypeDefinition<_google_protobuf_UInt32Value, _google_protobuf_UInt32Value__Output>
      UInt64Value: MessageTypeDefinition<_google_protobuf_UInt64Value, _google_protobuf_UInt64Value__Output>
    }
  }
  lastgasp: {
    v1: {
      Collector: SubtypeConstructor<typeof grpc.Client, _lastgasp_v1_CollectorClient> & { service: _lastgasp_v1_CollectorDefinition }
      Counters: MessageTypeDefinition<_lastgasp_v1_Counters, _lastgasp_v1_Counters__Output>
      GetIncidentRequest: MessageTypeDefinition<_lastgasp_v1_GetIncidentRequest, _lastgasp_v1_GetIncidentRequest__Output>
      GetStatusRequest: MessageTypeDefinition<_lastgasp_v1_GetStatusRequest, _lastgasp_v1_GetStatusRequest__Output>
      Host: MessageTypeDefinition<_lastgasp_v1_Host, _lastgasp_v1_Host__Output>
      Incident: MessageTypeDefinition<_lastgasp_v1_Incident, _lastgasp_v1_Incident__Output>
      IncidentCause: MessageTypeDefinition<_lastgasp_v1_IncidentCause, _lastgasp_v1_IncidentCause__Output>
      IncidentEvent: MessageTypeDefinition<_lastgasp_v1_IncidentEvent, _lastgasp_v1_IncidentEvent__Output>
      IncidentEventType: EnumTypeDefinition
      IncidentPhase: EnumTypeDefinition
      ListHostsRequest: MessageTypeDefinition<_lastgasp_v1_ListHostsRequest, _lastgasp_v1_ListHostsRequest__Output>
      ListHostsResponse: MessageTypeDefinition<_lastgasp_v1_ListHostsResponse, _lastgasp_v1_ListHostsResponse__Output>
      ListIncidentsRequest: MessageTypeDefinition<_lastgasp_v1_ListIncidentsRequest, _lastgasp_v1_ListIncidentsRequest__Output>
      ListIncidentsResponse: MessageTypeDefinition<_lastgasp_v1_ListIncidentsResponse, _lastgasp_v1_ListIncidentsResponse__Output>
      Listener: MessageTypeDefinition<_lastgasp_v1_Listener, _lastgasp_v1_Listener__Output>
      NodeAction: EnumTypeDefinition
      Policy: MessageTypeDefinition<_lastgasp_v1_Policy, _lastgasp_v1_Policy__Output>
      PolicyMode: EnumTypeDefinition
      Reachability: MessageTypeDefinition<_lastgasp_v1_Reachability, _lastgasp_v1_Reachability__Output>
      RemediationStep: MessageTypeDefinition<_lastgasp_v1_RemediationStep, _lastgasp_v1_RemediationStep__Output>
      Status: MessageTypeDefinition<_lastgasp_v1_Status, _lastgasp_v1_Status__Output>
      StepOutcome: EnumTypeDefinition
      StormLimits: MessageTypeDefinition<_lastgasp_v1_StormLimits, _lastgasp_v1_StormLimits__Output>
      WatchIncidentsRequest: MessageTypeDefinition<_lastgasp_v1_WatchIncidentsRequest, _lastgasp_v1_WatchIncidentsRequest__Output>
    }
  }
}

