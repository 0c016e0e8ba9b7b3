// Original file: lastgasp/v1/collector.proto

import type { IncidentCause as _lastgasp_v1_IncidentCause, IncidentCause__Output as _lastgasp_v1_IncidentCause__Output } from '../../lastgasp/v1/IncidentCause.js';
import type { UInt64Value as _google_protobuf_UInt64Value, UInt64Value__Output as _google_protobuf_UInt64Value__Output } from '../../google/protobuf/UInt64Value.js';
import type { Timestamp as _google_protobuf_Timestamp, Timestamp__Output as _google_protobuf_Timestamp__Output } from '../../google/protobuf/Timestamp.js';
import type { IncidentPhase as _lastgasp_v1_IncidentPhase, IncidentPhase__Output as _lastgasp_v1_IncidentPhase__Output } from '../../lastgasp/v1/IncidentPhase.js';
import type { RemediationStep as _lastgasp_v1_RemediationStep, RemediationStep__Output as _lastgasp_v1_RemediationStep__Output } from '../../lastgasp/v1/RemediationStep.js';

export interface Incident {
  'id'?: (string);
  'source'?: (string);
  'nodeName'?: (string);
  'kind'?: (string);
  'fatal'?: (boolean);
  'summary'?: (string);
  'cause'?: (_lastgasp_v1_IncidentCause | null);
  'kernelRelease'?: (string);
  'userdata'?: ({[key: string]: string});
  'format'?: (string);
  'firstSequence'?: (_google_protobuf_UInt64Value | null);
  'lastSequence'?: (_google_protobuf_UInt64Value | null);
  'lines'?: (string)[];
  'openTime'?: (_google_protobuf_Timestamp | null);
  'updateTime'?: (_google_protobuf_Timestamp | null);
  'closeTime'?: (_google_protobuf_Timestamp | null);
  'phase'?: (_lastgasp_v1_IncidentPhase);
  'steps'?: (_lastgasp_v1_RemediationStep)[];
}

export interface Incident__Output {
  'id': (string);
  'source': (string);
  'nodeName': (string);
  'kind': (string);
  'fatal': (boolean);
  'summary': (string);
  'cause': (_lastgasp_v1_IncidentCause__Output | null);
  'kernelRelease': (string);
  'userdata': ({[key: string]: string});
  'format': (string);
  'firstSequence': (_google_protobuf_UInt64Value__Output | null);
  'lastSequence': (_google_protobuf_UInt64Value__Output | null);
  'lines': (string)[];
  'openTime': (_google_protobuf_Timestamp__Output | null);
  'updateTime': (_google_protobuf_Timestamp__Output | null);
  'closeTime': (_google_protobuf_Timestamp__Output | null);
  'phase': (_lastgasp_v1_IncidentPhase__Output);
  'steps': (_lastgasp_v1_RemediationStep__Output)[];
}
