// Original file: lastgasp/v1/collector.proto


export interface IncidentCause {
  'kind'?: (string);
  'summary'?: (string);
}

export interface IncidentCause__Output {
  'kind': (string);
  'summary': (string);
}
