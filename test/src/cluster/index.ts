// The real-control-plane test bed: what other workspaces import as `@lastgasp/testbed/cluster`.
export type { Cluster, ClusterOptions } from './types.js';
export type { Binaries, Versions } from './binaries.js';
export type { NodeOptions, PodOptions, ClusterClient } from './objects.js';
export { startCluster } from './start-cluster.js';
export { useCluster } from './mocha.js';
export { createNode, createPod, ensureNamespace, FAKE_IMAGE } from './objects.js';
export { stopNodeHeartbeat, STOPPED_HOLDER } from './node-heartbeat.js';
export { applyManifest, parseManifest, FIELD_MANAGER } from './apply-manifest.js';
export { apiStatus } from './api-errors.js';
export { ensureBinaries, grpcurlBinary, nodeBinaries, readVersions, registryBinary, type NodeBinaries } from './binaries.js';
export { KWOK_NODE_ANNOTATION, KWOK_NODE_ANNOTATION_VALUE, KWOK_DEFAULT_NODE_IP } from './components.js';
export type { NodeAddressPool, NodeAddressPoolOptions, NodeAddressSet } from './node-address-pool.js';
export type { PoolLayout } from './address-block.js';
export type { NetworkFixtureErrorCode } from './network-fixture-errors.js';
export { createNodeAddressPool } from './node-address-pool.js';
export { POOL_CAPACITY } from './address-block.js';
export { assertRoutesStayLocal } from './route-guard.js';
export { NetworkFixtureError } from './network-fixture-errors.js';
