// Original file: lastgasp/v1/collector.proto

import type { Timestamp as _google_protobuf_Timestamp, Timestamp__Output as _google_protobuf_Timestamp__Output } from '../../google/protobuf/Timestamp.js';
import type { Listener as _lastgasp_v1_Listener, Listener__Output as _lastgasp_v1_Listener__Output } from '../../lastgasp/v1/Listener.js';
import type { Counters as _lastgasp_v1_Counters, Counters__Output as _lastgasp_v1_Counters__Output } from '../../lastgasp/v1/Counters.js';
import type { Policy as _lastgasp_v1_Policy, Policy__Output as _lastgasp_v1_Policy__Output } from '../../lastgasp/v1/Policy.js';
import type { Reachability as _lastgasp_v1_Reachability, Reachability__Output as _lastgasp_v1_Reachability__Output } from '../../lastgasp/v1/Reachability.js';

export interface Status {
  'version'?: (string);
  'startTime'?: (_google_protobuf_Timestamp | null);
  'identity'?: (string);
  'leading'?: (boolean);
  'leaderIdentity'?: (string);
  'standalone'?: (boolean);
  'listeners'?: (_lastgasp_v1_Listener)[];
  'counters'?: (_lastgasp_v1_Counters | null);
  'policy'?: (_lastgasp_v1_Policy | null);
  'reachability'?: (_lastgasp_v1_Reachability | null);
}

export interface Status__Output {
  'version': (string);
  'startTime': (_google_protobuf_Timestamp__Output | null);
  'identity': (string);
  'leading': (boolean);
  'leaderIdentity': (string);
  'standalone': (boolean);
  'listeners': (_lastgasp_v1_Listener__Output)[];
  'counters': (_lastgasp_v1_Counters__Output | null);
  'policy': (_lastgasp_v1_Policy__Output | null);
  'reachability': (_lastgasp_v1_Reachability__Output | null);
}
