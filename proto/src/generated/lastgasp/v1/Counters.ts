// Original file: lastgasp/v1/collector.proto

import type { Long } from '@grpc/proto-loader';

export interface Counters {
  'datagrams'?: (number | string | Long);
  'bytes'?: (number | string | Long);
  'malformedByReason'?: ({[key: string]: number | string | Long});
  'unknownSources'?: (number | string | Long);
  'hostsTracked'?: (number | string | Long);
  'incidentsByKind'?: ({[key: string]: number | string | Long});
  'nodesRemediated'?: (number | string | Long);
  'podsDeleted'?: (number | string | Long);
  'incidentsHeld'?: (number | string | Long);
}

export interface Counters__Output {
  'datagrams': (number);
  'bytes': (number);
  'malformedByReason': ({[key: string]: number});
  'unknownSources': (number);
  'hostsTracked': (number);
  'incidentsByKind': ({[key: string]: number});
  'nodesRemediated': (number);
  'podsDeleted': (number);
  'incidentsHeld': (number);
}
