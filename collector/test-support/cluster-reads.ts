// Reads the remediation tests make of the real control plane: the pods bound to a Node, the NodeIncident
// records of a Node, whether a Node exists.
import { CoreV1Api, CustomObjectsApi, type V1Pod } from '@kubernetes/client-node';
import type { Cluster } from '@lastgasp/testbed/cluster';

/** The NodeIncident custom resource. */
export const NODE_INCIDENTS = { group: 'lastgasp.dev', version: 'v1alpha1', plural: 'nodeincidents' };

export async function podsOn(cluster: Cluster, node: string): Promise<V1Pod[]> {
  const core = cluster.kubeConfig.makeApiClient(CoreV1Api);
  return (await core.listPodForAllNamespaces({ fieldSelector: `spec.nodeName=${node}` })).items;
}

export async function incidentsFor(cluster: Cluster, node: string): Promise<Record<string, unknown>[]> {
  const custom = cluster.kubeConfig.makeApiClient(CustomObjectsApi);
  const list = (await custom.listClusterCustomObject(NODE_INCIDENTS)) as { items: Record<string, unknown>[] };
  return list.items.filter((i) => (i.spec as { node?: string }).node === node);
}

export async function nodeExists(cluster: Cluster, node: string): Promise<boolean> {
  const core = cluster.kubeConfig.makeApiClient(CoreV1Api);
  try {
    await core.readNode({ name: node });
    return true;
  } catch (err) {
    if ((err as { code?: number }).code === 404) return false;
    throw err;
  }
}
