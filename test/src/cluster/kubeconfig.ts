// Kubeconfig files for the test cluster: certificates and tokens are embedded, so a file stays
// usable on its own (e.g. mounted into another process) for as long as the cluster runs.
import { writeFile } from 'node:fs/promises';
import { KubeConfig } from '@kubernetes/client-node';
import { stringify } from 'yaml';
import { pemBase64 } from './pki.js';

export type Credentials = { certPath: string; keyPath: string } | { token: string };

export interface KubeconfigSpec {
  server: string;
  caPath: string;
  /** Names the user entry; for readability only (the credentials decide who the apiserver sees). */
  user: string;
  credentials: Credentials;
}

const CLUSTER_NAME = 'lastgasp-test';

export async function renderKubeconfig(spec: KubeconfigSpec): Promise<string> {
  const user: Record<string, string> =
    'token' in spec.credentials
      ? { token: spec.credentials.token }
      : {
          'client-certificate-data': await pemBase64(spec.credentials.certPath),
          'client-key-data': await pemBase64(spec.credentials.keyPath),
        };
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: CLUSTER_NAME, cluster: { server: spec.server, 'certificate-authority-data': await pemBase64(spec.caPath) } }],
    users: [{ name: spec.user, user }],
    contexts: [{ name: spec.user, context: { cluster: CLUSTER_NAME, user: spec.user } }],
    'current-context': spec.user,
    preferences: {},
  };
  return stringify(config);
}

/** Writes a kubeconfig readable only by its owner and returns its path. */
export async function writeKubeconfig(path: string, spec: KubeconfigSpec): Promise<string> {
  await writeFile(path, await renderKubeconfig(spec), { mode: 0o600 });
  return path;
}

export function loadKubeConfig(path: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromFile(path);
  return kc;
}
