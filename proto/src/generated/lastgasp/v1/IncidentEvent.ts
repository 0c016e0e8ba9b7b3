// Original file: lastgasp/v1/collector.proto

import type { IncidentEventType as _lastgasp_v1_IncidentEventType, IncidentEventType__Output as _lastgasp_v1_IncidentEventType__Output } from '../../lastgasp/v1/IncidentEventType.js';
import type { Timestamp as _google_protobuf_Timestamp, Timestamp__Output as _google_protobuf_Timestamp__Output } from '../../google/protobuf/Timestamp.js';
import type { Incident as _lastgasp_v1_Incident, Incident__Output as _lastgasp_v1_Incident__Output } from '../../lastgasp/v1/Incident.js';
import type { Long } from '@grpc/proto-loader';

export interface IncidentEvent {
  'sequence'?: (number | string | Long);
  'type'?: (_lastgasp_v1_IncidentEventType);
  'time'?: (_google_protobuf_Timestamp | null);
  'incident'?: (_lastgasp_v1_Incident | null);
}

export interface IncidentEvent__Output {
  'sequence': (number);
  'type': (_lastgasp_v1_IncidentEventType__Output);
  'time': (_google_protobuf_Timestamp__Output | null);
  'incident': (_lastgasp_v1_Incident__Output | null);
}
