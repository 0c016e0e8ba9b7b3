// Original file: lastgasp/v1/collector.proto

import type { BoolValue as _google_protobuf_BoolValue, BoolValue__Output as _google_protobuf_BoolValue__Output } from '../../google/protobuf/BoolValue.js';
import type { Timestamp as _google_protobuf_Timestamp, Timestamp__Output as _google_protobuf_Timestamp__Output } from '../../google/protobuf/Timestamp.js';

export interface ListIncidentsRequest {
  'node'?: (string);
  'kind'?: (string);
  'fatal'?: (_google_protobuf_BoolValue | null);
  'since'?: (_google_protobuf_Timestamp | null);
  'pageSize'?: (number);
  'pageToken'?: (string);
}

export interface ListIncidentsRequest__Output {
  'node': (string);
  'kind': (string);
  'fatal': (_google_protobuf_BoolValue__Output | null);
  'since': (_google_protobuf_Timestamp__Output | null);
  'pageSize': (number);
  'pageToken': (string);
}
