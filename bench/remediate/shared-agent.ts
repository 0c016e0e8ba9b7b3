// One keep-alive HTTPS agent in place of the one-off agent @kubernetes/client-node builds for every
// API call (each one-off agent means a new TLS context and a full handshake). The KubeConfig still does
// its work per call (headers, TLS material); the shared agent is rebuilt only when that material changes.
import { createHash } from 'node:crypto';
import { Agent } from 'node:https';
import type { RequestContext } from '@kubernetes/client-node';

export class SharedAgent {
  private agent: Agent | null = null;
  private material = '';

  /** Replaces the context's freshly made agent by the shared one (non-HTTPS agents are left alone). */
  adopt(context: RequestContext): void {
    const fresh = context.getAgent();
    if (!(fresh instanceof Agent)) return;
    const o = fresh.options;
    const material = createHash('sha256').update(JSON.stringify([o.ca, o.cert, o.key, o.pfx, o.servername, o.rejectUnauthorized])).digest('hex');
    if (this.agent === null || material !== this.material) {
      this.agent?.destroy();
      this.agent = new Agent({ ...o, keepAlive: true });
      this.material = material;
    }
    context.setAgent(this.agent);
  }
}
