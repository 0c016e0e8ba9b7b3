// What the collector keeps per Node: names, addresses, labels, readiness. Memory O(nodes); no pods.
import type { V1Node } from '@kubernetes/client-node';
import { isNodeReady, nodeAddresses } from '../kube/node-addresses.js';

export interface NodeInfo {
  name: string;
  addresses: string[];
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

export function toNodeInfo(node: V1Node): NodeInfo | null {
  const name = node.metadata?.name;
  if (name === undefined || name === '') return null;
  return { name, addresses: nodeAddresses(node), labels: { ...(node.metadata?.labels ?? {}) }, ready: isNodeReady(node) };
}

export function createNodeIndex(): NodeIndex {
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
    const info = toNodeInfo(node);
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
