// Original file: lastgasp/v1/collector.proto


export interface GetIncidentRequest {
  'id'?: (string);
}

export interface GetIncidentRequest__Output {
  'id': (string);
}
