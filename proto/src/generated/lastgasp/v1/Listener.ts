// Original file: lastgasp/v1/collector.proto

import type { Long } from '@grpc/proto-loader';

export interface Listener {
  'name'?: (string);
  'address'?: (string);
  'receiver'?: (string);
  'recvBufferBytes'?: (number | string | Long);
}

export interface Listener__Output {
  'name': (string);
  'address': (string);
  'receiver': (string);
  'recvBufferBytes': (number);
}
