// What to do with our netconsole targets when the agent is asked to stop.
//
// The agent tells an uninstall from a rolling update (or eviction, or node drain) by reading its own
// DaemonSet when SIGTERM arrives:
//   - the DaemonSet is gone (404), or has `metadata.deletionTimestamp` set → uninstall: remove our
//     targets, nothing will manage them any more;
//   - it exists and is not being deleted → a new agent pod follows: leave the targets in place, so
//     there is no moment without a path for a panic. The next agent adopts them (names are derived
//     from their configuration).
//   - no DaemonSet name configured, or the API cannot answer → leave the targets: a target left
//     behind is harmless, a missing one loses the last words of a panic.
import type { V1DaemonSet } from '@kubernetes/client-node';
import type { KubeClient } from './kube/kube-client.js';

export type ShutdownDecision = { action: 'remove-targets' | 'keep-targets'; reason: string };

export function decideOnShutdown(daemonSet: V1DaemonSet | 'not-found' | 'unknown'): ShutdownDecision {
  if (daemonSet === 'not-found') return { action: 'remove-targets', reason: 'DaemonSet is gone (uninstall)' };
  if (daemonSet === 'unknown') return { action: 'keep-targets', reason: 'DaemonSet state unknown' };
  if (daemonSet.metadata?.deletionTimestamp !== undefined) {
    return { action: 'remove-targets', reason: 'DaemonSet is being deleted (uninstall)' };
  }
  return { action: 'keep-targets', reason: 'DaemonSet exists (rolling update, eviction or drain)' };
}

function statusCode(err: unknown): number | undefined {
  return typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'number' ? err.code : undefined;
}

export async function readOwnDaemonSet(kube: KubeClient, namespace: string, name: string): Promise<V1DaemonSet | 'not-found' | 'unknown'> {
  try {
    return await kube.request<V1DaemonSet>('GET', `/apis/apps/v1/namespaces/${encodeURIComponent(namespace)}/daemonsets/${encodeURIComponent(name)}`);
  } catch (err) {
    return statusCode(err) === 404 ? 'not-found' : 'unknown';
  }
}
