// Original file: lastgasp/v1/collector.proto

import type { Timestamp as _google_protobuf_Timestamp, Timestamp__Output as _google_protobuf_Timestamp__Output } from '../../google/protobuf/Timestamp.js';
import type { UInt64Value as _google_protobuf_UInt64Value, UInt64Value__Output as _google_protobuf_UInt64Value__Output } from '../../google/protobuf/UInt64Value.js';
import type { Long } from '@grpc/proto-loader';

export interface Host {
  'address'?: (string);
  'nodeName'?: (string);
  'kernelRelease'?: (string);
  'lastRecordTime'?: (_google_protobuf_Timestamp | null);
  'lastSequence'?: (_google_protobuf_UInt64Value | null);
  'records'?: (number | string | Long);
  'sequenceGaps'?: (number | string | Long);
  'lastCanaryTime'?: (_google_protobuf_Timestamp | null);
  'lastCanaryNode'?: (string);
  'incidents'?: (number);
  'messagesLost'?: (number | string | Long);
  'recordsWithoutNode'?: (number | string | Long);
  'wireFeatures'?: (string)[];
  'panicLine'?: (string);
}

export interface Host__Output {
  'address': (string);
  'nodeName': (string);
  'kernelRelease': (string);
  'lastRecordTime': (_google_protobuf_Timestamp__Output | null);
  'lastSequence': (_google_protobuf_UInt64Value__Output | null);
  'records': (number);
  'sequenceGaps': (number);
  'lastCanaryTime': (_google_protobuf_Timestamp__Output | null);
  'lastCanaryNode': (string);
  'incidents': (number);
  'messagesLost': (number);
  'recordsWithoutNode': (number);
  'wireFeatures': (string)[];
  'panicLine': (string);
}
