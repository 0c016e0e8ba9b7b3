// Original file: lastgasp/v1/collector.proto


export interface ListHostsRequest {
  'node'?: (string);
  'pageSize'?: (number);
  'pageToken'?: (string);
}

export interface ListHostsRequest__Output {
  'node': (string);
  'pageSize': (number);
  'pageToken': (string);
}
