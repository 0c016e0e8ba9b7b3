// Kubeconfigs for clients inside the namespace and the guest: the same credentials, another way to
// the apiserver (through the bridge, see api-bridge.ts).
import { KubeConfig } from '@kubernetes/client-node';

/**
 * The kubeconfig text of `path` with every cluster's server replaced by `server`, which must be an
 * address in the apiserver's serving certificate (see ClusterOptions.servingIps): TLS is verified.
 */
export function rehomeKubeconfig(path: string, server: string): string {
  const kc = new KubeConfig();
  kc.loadFromFile(path);
  const out = new KubeConfig();
  out.loadFromOptions({
    clusters: kc.getClusters().map((c) => ({ ...c, server })),
    users: kc.getUsers(),
    contexts: kc.getContexts(),
    currentContext: kc.getCurrentContext(),
  });
  return out.exportConfig();
}
