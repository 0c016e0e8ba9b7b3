// Original file: lastgasp/v1/collector.proto


export interface StormLimits {
  'maxNodesPerWindow'?: (number);
  'windowSeconds'?: (number);
  'maxPercentOfReadyNodes'?: (number | string);
}

export interface StormLimits__Output {
  'maxNodesPerWindow': (number);
  'windowSeconds': (number);
  'maxPercentOfReadyNodes': (number);
}
