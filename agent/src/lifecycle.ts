// What to do with our netconsole targets when the agent is asked to stop.
//
// The agent tells an uninstall from a rolling update (or eviction, or node drain) by reading its own
// DaemonSet when SIGTERM arrives:
//   - the DaemonSet is gone (404), or has `metadata.deletionTimestamp` set → uninstall: remove our
//     targets, nothing will manage them any more;
//   - the API refuses the agent (401: its ServiceAccount is gone; 403: its RoleBinding is gone) although
//     the same read worked earlier in this process → uninstall: `helm uninstall` deletes the DaemonSet
//     and the agent's ServiceAccount and RBAC in one pass, so by the time a pod gets SIGTERM its
//     credentials are often already withdrawn. Nothing but an uninstall (or an operator removing the
//     agent's access, which also leaves nobody to manage the targets) withdraws them;
//   - it exists and is not being deleted → a new agent pod follows: leave the targets in place, so
//     there is no moment without a path for a panic. The next agent adopts them (names are derived
//     from their configuration).
//   - no DaemonSet name configured, the API cannot answer, or the DaemonSet was never readable in this
//     process (wrong --daemonset-name or RBAC: a refusal then says nothing about an uninstall) → leave
//     the targets: a target left behind is harmless, a missing one loses the last words of a panic.
import type { V1DaemonSet } from '@kubernetes/client-node';
import type { KubeClient } from './kube/kube-client.js';

export type ShutdownDecision = { action: 'remove-targets' | 'keep-targets'; reason: string };

/** The agent's own DaemonSet as read from the API: the object, or why there is none. */
export type OwnDaemonSet = V1DaemonSet | 'not-found' | 'denied' | 'unknown';

/** What the start-up read of the agent's own DaemonSet found ('unknown' until the API answered). */
export type StartupCheck = 'readable' | 'not-found' | 'denied' | 'unknown';

export function startupCheckOf(daemonSet: OwnDaemonSet): StartupCheck {
  return typeof daemonSet === 'string' ? daemonSet : 'readable';
}

/**
 * `atStart`: what the read found when this process started; it tells "access withdrawn" (uninstall)
 * from "never had access" (misconfiguration), and "deleted" from "never existed under that name".
 */
export function decideOnShutdown(daemonSet: OwnDaemonSet, atStart: StartupCheck): ShutdownDecision {
  if (daemonSet === 'unknown') return { action: 'keep-targets', reason: 'DaemonSet state unknown' };
  if (daemonSet === 'not-found') {
    return atStart === 'not-found'
      ? { action: 'keep-targets', reason: 'DaemonSet never found (check --daemonset-name)' }
      : { action: 'remove-targets', reason: 'DaemonSet is gone (uninstall)' };
  }
  if (daemonSet === 'denied') {
    return atStart === 'readable'
      ? { action: 'remove-targets', reason: "the agent's credentials were withdrawn (uninstall)" }
      : { action: 'keep-targets', reason: 'DaemonSet never readable (check the RBAC and --daemonset-name)' };
  }
  if (daemonSet.metadata?.deletionTimestamp !== undefined) {
    return { action: 'remove-targets', reason: 'DaemonSet is being deleted (uninstall)' };
  }
  return { action: 'keep-targets', reason: 'DaemonSet exists (rolling update, eviction or drain)' };
}

function statusCode(err: unknown): number | undefined {
  return typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'number' ? err.code : undefined;
}

export async function readOwnDaemonSet(kube: KubeClient, namespace: string, name: string): Promise<OwnDaemonSet> {
  try {
    return await kube.request<V1DaemonSet>('GET', `/apis/apps/v1/namespaces/${encodeURIComponent(namespace)}/daemonsets/${encodeURIComponent(name)}`);
  } catch (err) {
    const code = statusCode(err);
    if (code === 404) return 'not-found';
    if (code === 401 || code === 403) return 'denied';
    return 'unknown';
  }
}
