// Every runtime value the collector takes from @kubernetes/client-node, in one module. Types are
// imported from the package directly (they cost nothing at run time).
//
// Why one module: importing the package evaluates its generated clients for every API group, ~21 MB
// of JavaScript kept in memory as source text and code (≈ 69 MiB more resident memory). The build
// replaces this module's compiled output with a tree-shaken bundle of just these exports
// (scripts/bundle-client-node.mjs; ≈ 28 MiB). Running from source, it is a plain re-export.
export {
  CoordinationV1Api,
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  PatchStrategy,
  ServerConfiguration,
  V1MicroTime,
  VersionApi,
  Watch,
  createConfiguration,
  setHeaderOptions,
} from '@kubernetes/client-node';
