// Builders for the API's tests: incidents, status and hosts with readable defaults, a recording logger.
import type { Incident } from '../src/types.js';
import type { ApiLogger } from '../src/api/logger.js';
import type { CollectorStatus, HostView } from '../src/api/status-source.js';

/** A fixed instant so rendered times are stable: 2025-01-01T00:00:00Z. */
export const T0 = Date.UTC(2025, 0, 1);

export function makeIncident(overrides: Partial<Incident> = {}): Incident {
  return {
    id: 'inc-1',
    source: '10.0.0.1',
    kind: 'KernelPanic',
    fatal: true,
    summary: 'Kernel panic - not syncing: Fatal exception',
    cause: { kind: 'KernelOops', summary: 'BUG: kernel NULL pointer dereference, address: 0000000000000000' },
    kernelRelease: '6.1.0-56-amd64',
    userdata: {},
    format: 'extended',
    firstSeq: 370,
    lastSeq: 401,
    lines: ['BUG: kernel NULL pointer dereference', 'Kernel panic - not syncing: Fatal exception'],
    openedAt: T0,
    updatedAt: T0 + 200,
    closedAt: null,
    ...overrides,
  };
}

export function makeStatus(overrides: Partial<CollectorStatus> = {}): CollectorStatus {
  return {
    version: '0.1.0',
    startedAt: T0 - 3_600_000,
    identity: 'collector-0',
    leading: true,
    leaderIdentity: 'collector-0',
    standalone: false,
    listeners: [
      { name: 'netconsole', address: '[::]:6666', receiver: 'native', recvBufferBytes: 8 << 20 },
      { name: 'grpc', address: '[::]:6667' },
    ],
    counters: {
      datagrams: 1234,
      bytes: 98765,
      malformedByReason: { 'bad-header': 2 },
      unknownSources: 1,
      hostsTracked: 3,
      incidentsByKind: { KernelPanic: 2, SoftLockup: 1 },
      nodesRemediated: 2,
      podsDeleted: 17,
      incidentsHeld: 0,
    },
    policy: {
      mode: 'immediate',
      dryRun: false,
      nodeAction: 'delete',
      confirmTimeoutSeconds: 60,
      confirmLeaseStaleSeconds: 20,
      storm: { maxNodesPerWindow: 5, windowSeconds: 300, maxPercentOfReadyNodes: 10 },
      excludeNodeSelector: 'node-role.kubernetes.io/control-plane',
      annotationPrefix: 'lastgasp.dev',
    },
    reachability: { ready: 5, checked: 4, answering: 3, silent: 1, overdue: 0, silentNodes: ['worker-3'], lastCheckAt: T0 - 30_000 },
    ...overrides,
  };
}

export function makeHost(address: string, overrides: Partial<HostView> = {}): HostView {
  return {
    address,
    node: `node-${address}`,
    kernelRelease: '6.1.0-56-amd64',
    lastRecordAt: T0 - 2000,
    lastSeq: 400,
    records: 512,
    sequenceGaps: 0,
    messagesLost: 0,
    recordsWithoutNode: 0,
    wireFeatures: ['release'],
    lastCanaryAt: T0 - 60_000,
    lastCanaryNode: `node-${address}`,
    panicLine: 'sent',
    incidents: 0,
    ...overrides,
  };
}

/** Collects what the code under test logs, for assertions and for printing on failure. */
export function recordingLogger(): ApiLogger & { lines: { level: string; message: string; fields: object }[] } {
  const lines: { level: string; message: string; fields: object }[] = [];
  const at = (level: string) => (fields: object, message: string) => {
    lines.push({ level, message, fields });
  };
  return { lines, info: at('info'), warn: at('warn'), error: at('error') };
}
