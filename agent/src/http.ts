// HTTP endpoints: /metrics (Prometheus text), /livez (the process answers), /readyz (ready = the agent
// has reached a verdict about its node, see readiness.ts; the body gives the coverage status).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import type { ListenAddress } from './config/config.js';
import { podReady } from './readiness.js';
import type { AgentStatus } from './types.js';

export interface HttpServer {
  port: number;
  close(): Promise<void>;
}

export async function startHttpServer(listen: ListenAddress, registry: Registry, status: () => AgentStatus): Promise<HttpServer> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/livez') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
    } else if (path === '/readyz') {
      const current = status();
      res.writeHead(podReady(current) ? 200 : 503, { 'content-type': 'text/plain' }).end(`${current.reason}: ${current.message}\n`);
    } else if (path === '/metrics') {
      registry.metrics().then(
        (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
        (err: unknown) => res.writeHead(500).end(String(err)),
      );
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: listen.host, port: listen.port, ipv6Only: false }, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
