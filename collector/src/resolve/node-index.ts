// What the collector keeps per Node: names, addresses, labels, readiness. Memory O(nodes); no pods.
import type { V1Node } from '@kubernetes/client-node';
import { isNodeReady, nodeAddresses } from '../kube/node-addresses.js';
import { probeTargetOf, type ProbeTarget } from '../prove/probe-target.js';

export interface NodeInfo {
  name: string;
  /** The addresses that identify the Node as a sender (InternalIP; ExternalIP too when configured). */
  addresses: string[];
  /** Where proof of death probes it: its InternalIPs and its kubelet's port. */
  probe: ProbeTarget;
  labels: Readonly<Record<string, string>>;
  ready: boolean;
}

export interface NodeIndex {
  upsert(node: V1Node): void;
  remove(name: string): void;
  /** Names of every Node held. */
  names(): string[];
  /** Names of the Nodes that list this normalised address (normally one). */
  byAddress(address: string): readonly string[];
  /** Whether any Node lists this normalised address: the pipeline's `isKnownSource`. */
  hasAddress(address: string): boolean;
  get(name: string): NodeInfo | undefined;
  readyCount(): number;
  size(): number;
}

export interface NodeIndexOptions {
  /** ExternalIP addresses also identify a sender (off by default: they may be shared NAT addresses). */
  attributeExternalIP?: boolean;
}

export function toNodeInfo(node: V1Node, opts: NodeIndexOptions = {}): NodeInfo | null {
  const name = node.metadata?.name;
  if (name === undefined || name === '') return null;
  const types = opts.attributeExternalIP === true ? ['InternalIP', 'ExternalIP'] : ['InternalIP'];
  return { name, addresses: nodeAddresses(node, types), probe: probeTargetOf(node), labels: { ...(node.metadata?.labels ?? {}) }, ready: isNodeReady(node) };
}

export function createNodeIndex(opts: NodeIndexOptions = {}): NodeIndex {
  const nodes = new Map<string, NodeInfo>();
  const addresses = new Map<string, string[]>();

  const unlink = (info: NodeInfo): void => {
    for (const a of info.addresses) {
      const names = (addresses.get(a) ?? []).filter((n) => n !== info.name);
      if (names.length === 0) addresses.delete(a);
      else addresses.set(a, names);
    }
  };
  const remove = (name: string): void => {
    const old = nodes.get(name);
    if (old === undefined) return;
    unlink(old);
    nodes.delete(name);
  };
  const upsert = (node: V1Node): void => {
    const info = toNodeInfo(node, opts);
    if (info === null) return;
    remove(info.name);
    nodes.set(info.name, info);
    for (const a of info.addresses) addresses.set(a, [...(addresses.get(a) ?? []), info.name]);
  };

  return {
    upsert,
    remove,
    names: () => [...nodes.keys()],
    byAddress: (address) => addresses.get(address) ?? [],
    hasAddress: (address) => addresses.has(address),
    get: (name) => nodes.get(name),
    readyCount() {
      let n = 0;
      for (const info of nodes.values()) if (info.ready) n++;
      return n;
    },
    size: () => nodes.size,
  };
}
