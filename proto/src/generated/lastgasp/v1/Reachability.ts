// Original file: lastgasp/v1/collector.proto

import type { Timestamp as _google_protobuf_Timestamp, Timestamp__Output as _google_protobuf_Timestamp__Output } from '../../google/protobuf/Timestamp.js';

export interface Reachability {
  'readyNodes'?: (number);
  'answering'?: (number);
  'silent'?: (number);
  'unchecked'?: (number);
  'overdue'?: (number);
  'silentNodes'?: (string)[];
  'lastCheckTime'?: (_google_protobuf_Timestamp | null);
}

export interface Reachability__Output {
  'readyNodes': (number);
  'answering': (number);
  'silent': (number);
  'unchecked': (number);
  'overdue': (number);
  'silentNodes': (string)[];
  'lastCheckTime': (_google_protobuf_Timestamp__Output | null);
}
