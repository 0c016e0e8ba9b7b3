// Where to probe a Node: its InternalIP addresses and its kubelet's port. Pure.
// Only InternalIP: `status.addresses` is written by the node's own kubelet (the Node authorizer limits it
// to its own Node), and InternalIP is the address the control plane reaches the kubelet on. ExternalIP
// may be a NAT or load-balancer address that answers for a dead node.
import type { V1Node } from '@kubernetes/client-node';
import { normaliseAddress } from '../kube/node-addresses.js';

/** The kubelet's default port, used when the Node does not report its own. */
export const DEFAULT_KUBELET_PORT = 10250;

export interface ProbeTarget {
  node: string;
  /** Distinct normalised InternalIP addresses, in the order the Node lists them (IPv4 and IPv6). */
  addresses: string[];
  port: number;
}

/** `status.daemonEndpoints.kubeletEndpoint.Port` when it is a valid port, else 10250. */
export function kubeletPortOf(node: V1Node): number {
  const port: unknown = node.status?.daemonEndpoints?.kubeletEndpoint?.Port;
  return typeof port === 'number' && Number.isInteger(port) && port >= 1 && port <= 65535 ? port : DEFAULT_KUBELET_PORT;
}

/** Distinct normalised InternalIP addresses of a Node. */
export function internalAddressesOf(node: V1Node): string[] {
  const out: string[] = [];
  for (const a of node.status?.addresses ?? []) {
    if (a.type !== 'InternalIP') continue;
    const address = normaliseAddress(a.address);
    if (address !== null && !out.includes(address)) out.push(address);
  }
  return out;
}

/** The probe target of a Node; `port` overrides the kubelet port when the operator chose one. */
export function probeTargetOf(node: V1Node, port?: number): ProbeTarget {
  return { node: node.metadata?.name ?? '', addresses: internalAddressesOf(node), port: port ?? kubeletPortOf(node) };
}
