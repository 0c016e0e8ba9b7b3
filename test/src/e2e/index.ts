// @lastgasp/testbed/e2e — the end-to-end world (control plane + guest kernel + collectors + agent) that
// the scenario tests and the demo share. See world.ts.
export {
  ANNOTATION_PREFIX,
  bringUpWorld,
  GUEST_ADDRESS,
  HOST_ADDRESSES,
  NAMESPACE,
  SERVICE,
  type World,
  type WorldOptions,
} from './world.js';
export { startClusterTimeline, isDisrupted, type ClusterTimeline, type TimelineEvent, type TimelineKind } from './cluster-timeline.js';
export type { CollectorProcess, LogEntry } from '../collector/index.js';
export { readGuestTargets, type GuestTarget } from './guest-agent.js';
export { cliJson, hostsOf, incidentsOf, listNodeIncidents, type NodeIncidentObject } from './scenario-reads.js';
export { checkRoot, NOT_ROOT_EXIT_CODE, type RootCheck } from './root-check.js';
export { keepRunningStages, KEEP_RUNNING_ANNOTATION } from './kwok-stages.js';
