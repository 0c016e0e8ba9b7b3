// Preloaded into the collector process (`node --import`) by `bench:remediate --what-if-keep-alive`:
// every KubeConfig then hands its API calls one shared keep-alive agent. Measures what that change
// would buy the collector without touching its code.
import { KubeConfig, type RequestContext } from '@kubernetes/client-node';
import { SharedAgent } from './shared-agent.js';

// eslint-disable-next-line @typescript-eslint/unbound-method -- always invoked with `.call(this)` below
const original = KubeConfig.prototype.applySecurityAuthentication;
const agents = new WeakMap<KubeConfig, SharedAgent>();

KubeConfig.prototype.applySecurityAuthentication = async function (this: KubeConfig, context: RequestContext): Promise<void> {
  await original.call(this, context);
  let shared = agents.get(this);
  if (shared === undefined) {
    shared = new SharedAgent();
    agents.set(this, shared);
  }
  shared.adopt(context);
};
