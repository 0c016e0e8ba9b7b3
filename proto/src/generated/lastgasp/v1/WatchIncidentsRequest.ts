// Original file: lastgasp/v1/collector.proto

import type { Long } from '@grpc/proto-loader';

export interface WatchIncidentsRequest {
  'fromIncidentId'?: (string);
  'afterSequence'?: (number | string | Long);
  'start'?: "fromIncidentId"|"afterSequence";
}

export interface WatchIncidentsRequest__Output {
  'fromIncidentId'?: (string);
  'afterSequence'?: (number);
  'start'?: "fromIncidentId"|"afterSequence";
}
