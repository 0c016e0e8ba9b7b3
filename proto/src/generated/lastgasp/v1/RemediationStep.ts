// Original file: lastgasp/v1/collector.proto

import type { StepOutcome as _lastgasp_v1_StepOutcome, StepOutcome__Output as _lastgasp_v1_StepOutcome__Output } from '../../lastgasp/v1/StepOutcome.js';
import type { Timestamp as _google_protobuf_Timestamp, Timestamp__Output as _google_protobuf_Timestamp__Output } from '../../google/protobuf/Timestamp.js';

export interface RemediationStep {
  'name'?: (string);
  'outcome'?: (_lastgasp_v1_StepOutcome);
  'startTime'?: (_google_protobuf_Timestamp | null);
  'finishTime'?: (_google_protobuf_Timestamp | null);
  'message'?: (string);
}

export interface RemediationStep__Output {
  'name': (string);
  'outcome': (_lastgasp_v1_StepOutcome__Output);
  'startTime': (_google_protobuf_Timestamp__Output | null);
  'finishTime': (_google_protobuf_Timestamp__Output | null);
  'message': (string);
}
