// Free loopback TCP ports for components that cannot be told to bind port 0 and report it back.
import { createServer } from 'node:net';

/**
 * Returns `count` distinct TCP ports that were free on 127.0.0.1 a moment ago. Another process may take
 * one before our component binds it; callers that see "address already in use" pick new ports and retry.
 */
export async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from({ length: count }, () =>
      new Promise<ReturnType<typeof createServer>>((resolve, reject) => {
        const server = createServer();
        server.once('error', reject);
        server.listen({ host: '127.0.0.1', port: 0, exclusive: true }, () => resolve(server));
      }),
    ),
  );
  const ports = servers.map((server) => {
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('loopback listener has no port');
    return address.port;
  });
  await Promise.all(servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
  return ports;
}
