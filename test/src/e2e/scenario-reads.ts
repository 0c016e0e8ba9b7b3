// What the scenarios read back: the `lastgasp` CLI's JSON output (run as a process in the namespace)
// and NodeIncident objects, narrowed to the fields the assertions use.
import { CustomObjectsApi } from '@kubernetes/client-node';
import type { CollectorProcess } from '../collector/index.js';
import type { World } from './world.js';

export interface HostRow {
  address: string;
  node: string;
  records: number;
  incidents: number;
  lastCanaryNode: string;
}

export interface IncidentRow {
  id: string;
  node: string;
  kind: string;
  summary: string;
  /** Its trailing context is complete (the host was quiet long enough): a new panic line opens a new incident. */
  closed: boolean;
}

export interface NodeIncidentObject {
  metadata?: { name?: string };
  spec?: { node?: string; kind?: string; fatal?: boolean; source?: string; summary?: string; contextLines?: string[]; detectedAt?: string };
  status?: {
    phase?: string;
    reason?: string;
    message?: string;
    proof?: { verdict?: string; summary?: string; provedBy?: string };
    podsDeleted?: number;
    nodeAction?: string;
    affectedPods?: string[];
    remediatedBy?: string;
    startedAt?: string;
    completedAt?: string;
  };
}

/** `lastgasp <args> -o json` against `collector`; throws with the CLI's output when it fails. */
export async function cliJson(world: World, collector: CollectorProcess, args: string[]): Promise<unknown> {
  const result = await world.cli(collector, [...args, '-o', 'json']);
  if (result.code !== 0) throw new Error(`lastgasp ${args.join(' ')} exited ${String(result.code)}: ${result.stderr}${result.stdout}`);
  return JSON.parse(result.stdout) as unknown;
}

function rows(value: unknown, key: string): Record<string, unknown>[] {
  const list = Array.isArray(value) ? value : (value as Record<string, unknown> | null)?.[key];
  return Array.isArray(list) ? (list as Record<string, unknown>[]) : [];
}

const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const num = (v: unknown): number => (typeof v === 'number' ? v : typeof v === 'string' && v !== '' ? Number(v) : 0);

export function hostsOf(json: unknown): HostRow[] {
  return rows(json, 'hosts').map((h) => ({
    address: str(h.address),
    node: str(h.nodeName ?? h.node_name),
    records: num(h.records),
    incidents: num(h.incidents),
    lastCanaryNode: str(h.lastCanaryNode ?? h.last_canary_node),
  }));
}

export function incidentsOf(json: unknown): IncidentRow[] {
  return rows(json, 'incidents').map((i) => ({
    id: str(i.id),
    node: str(i.nodeName ?? i.node_name),
    kind: str(i.kind),
    summary: str(i.summary),
    closed: (i.closeTime ?? i.close_time ?? null) !== null,
  }));
}

export async function listNodeIncidents(world: World): Promise<NodeIncidentObject[]> {
  const api = world.cluster.kubeConfig.makeApiClient(CustomObjectsApi);
  const list = (await api.listClusterCustomObject({ group: 'lastgasp.dev', version: 'v1alpha1', plural: 'nodeincidents' })) as { items?: NodeIncidentObject[] };
  return list.items ?? [];
}
