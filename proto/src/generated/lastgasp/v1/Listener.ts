// Original file: lastgasp/v1/collector.proto


export interface Listener {
  'name'?: (string);
  'address'?: (string);
}

export interface Listener__Output {
  'name': (string);
  'address': (string);
}
