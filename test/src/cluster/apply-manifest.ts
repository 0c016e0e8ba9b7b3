// Applies multi-document YAML with server-side apply, like `kubectl apply --server-side`, without kubectl.
import { KubernetesObjectApi, PatchStrategy, loadYaml } from '@kubernetes/client-node';
import type { KubeConfig, KubernetesObject } from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';

/** Field manager recorded on everything the tests apply. */
export const FIELD_MANAGER = 'lastgasp-test';

function hasIdentity(value: unknown): value is { apiVersion: string; kind: string; metadata: { name: string } } {
  if (typeof value !== 'object' || value === null) return false;
  const o = value as Record<string, unknown>;
  const metadata = o['metadata'];
  return (
    typeof o['apiVersion'] === 'string' &&
    typeof o['kind'] === 'string' &&
    typeof metadata === 'object' &&
    metadata !== null &&
    typeof (metadata as Record<string, unknown>)['name'] === 'string'
  );
}

/**
 * The objects in a YAML stream, as the client's typed models (their field names differ from the wire
 * names in places, e.g. `x-kubernetes-*` in CRD schemas). Empty documents are skipped; a document
 * without apiVersion, kind and metadata.name, or with a YAML error, throws naming the document.
 */
export function parseManifest(yamlText: string): KubernetesObject[] {
  const objects: KubernetesObject[] = [];
  parseAllDocuments(yamlText).forEach((doc, i) => {
    if (doc.errors.length > 0) throw new Error(`manifest document ${i + 1}: ${doc.errors.map((e) => e.message).join('; ')}`);
    const value: unknown = doc.toJS();
    if (value === null || value === undefined) return;
    if (!hasIdentity(value)) throw new Error(`manifest document ${i + 1} lacks apiVersion, kind or metadata.name`);
    objects.push(loadYaml<KubernetesObject>(JSON.stringify(value)));
  });
  return objects;
}

/**
 * Creates or updates every object in `yamlText`, in order, and returns what the apiserver stored.
 * Namespaced objects without a namespace go to `default`.
 */
export async function applyManifest(c: { kubeConfig: KubeConfig }, yamlText: string): Promise<KubernetesObject[]> {
  const client = KubernetesObjectApi.makeApiClient(c.kubeConfig);
  const applied: KubernetesObject[] = [];
  for (const object of parseManifest(yamlText)) {
    applied.push(await client.patch(object, undefined, undefined, FIELD_MANAGER, true, PatchStrategy.ServerSideApply));
  }
  return applied;
}
