// Original file: lastgasp/v1/collector.proto

import type { Host as _lastgasp_v1_Host, Host__Output as _lastgasp_v1_Host__Output } from '../../lastgasp/v1/Host.js';

export interface ListHostsResponse {
  'hosts'?: (_lastgasp_v1_Host)[];
  'nextPageToken'?: (string);
  'totalSize'?: (number);
}

export interface ListHostsResponse__Output {
  'hosts': (_lastgasp_v1_Host__Output)[];
  'nextPageToken': (string);
  'totalSize': (number);
}
