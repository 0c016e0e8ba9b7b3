// Original file: lastgasp/v1/collector.proto

import type { PolicyMode as _lastgasp_v1_PolicyMode, PolicyMode__Output as _lastgasp_v1_PolicyMode__Output } from '../../lastgasp/v1/PolicyMode.js';
import type { NodeAction as _lastgasp_v1_NodeAction, NodeAction__Output as _lastgasp_v1_NodeAction__Output } from '../../lastgasp/v1/NodeAction.js';
import type { StormLimits as _lastgasp_v1_StormLimits, StormLimits__Output as _lastgasp_v1_StormLimits__Output } from '../../lastgasp/v1/StormLimits.js';

export interface Policy {
  'mode'?: (_lastgasp_v1_PolicyMode);
  'dryRun'?: (boolean);
  'nodeAction'?: (_lastgasp_v1_NodeAction);
  'confirmTimeoutSeconds'?: (number);
  'confirmLeaseStaleSeconds'?: (number);
  'storm'?: (_lastgasp_v1_StormLimits | null);
  'excludeNodeSelector'?: (string);
  'annotationPrefix'?: (string);
}

export interface Policy__Output {
  'mode': (_lastgasp_v1_PolicyMode__Output);
  'dryRun': (boolean);
  'nodeAction': (_lastgasp_v1_NodeAction__Output);
  'confirmTimeoutSeconds': (number);
  'confirmLeaseStaleSeconds': (number);
  'storm': (_lastgasp_v1_StormLimits__Output | null);
  'excludeNodeSelector': (string);
  'annotationPrefix': (string);
}
