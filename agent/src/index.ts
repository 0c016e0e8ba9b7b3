// Public surface of @lastgasp/agent for tests, the benchmark and the real-kernel end-to-end test.
export { startApp, kubeClientFor, type App, type AppDeps } from './app.js';
export { loadConfig, resolveConfig, ConfigError, type AgentConfig } from './config/config.js';
export { createNodeConfigfsFs, type ConfigfsFs } from './configfs/configfs-fs.js';
export { CONDITION_TYPE } from './status/node-condition.js';
export { createNodeConditionReporter, type NodeConditionReporter } from './status/patch-node-condition.js';
export { createKubeClient, KubeApiError, type KubeClient } from './kube/kube-client.js';
export { loadKubeconfigFile } from './kube/kube-config.js';
export type * from './types.js';
