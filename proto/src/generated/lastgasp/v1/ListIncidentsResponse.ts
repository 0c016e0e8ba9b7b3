// Original file: lastgasp/v1/collector.proto

import type { Incident as _lastgasp_v1_Incident, Incident__Output as _lastgasp_v1_Incident__Output } from '../../lastgasp/v1/Incident.js';

export interface ListIncidentsResponse {
  'incidents'?: (_lastgasp_v1_Incident)[];
  'nextPageToken'?: (string);
  'totalSize'?: (number);
}

export interface ListIncidentsResponse__Output {
  'incidents': (_lastgasp_v1_Incident__Output)[];
  'nextPageToken': (string);
  'totalSize': (number);
}
