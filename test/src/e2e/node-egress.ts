// How the apiserver, on the host's loopback, reaches a real kubelet inside the test's network
// namespace (for port-forward, logs, exec): its "cluster" egress goes to an HTTP CONNECT proxy on a
// Unix socket (see ClusterOptions.nodeEgressSocket), and that proxy runs in the namespace, so what it
// dials is the namespace's network. It dials only the addresses it is given (the guest's): nothing the
// apiserver is asked to reach can lead anywhere else.
import type { Netns } from '@lastgasp/testbed/kernel';
import { waitFor } from '@lastgasp/testbed/testing';
import { startNodeInNetns, type NetnsProcess } from './netns-process.js';

/**
 * Child in the namespace: argv socket path, then the allowed host addresses. Reads one CONNECT
 * request, answers 200 and pipes, or 403 for any other host; prints `listening` once bound.
 */
const PROXY = `
const net = require('node:net');
const fs = require('node:fs');
const [path, ...allowed] = process.argv.slice(1);
const MAX_HEAD = 8192;
try { fs.unlinkSync(path); } catch {}
const server = net.createServer((client) => {
  let head = Buffer.alloc(0);
  client.on('error', () => client.destroy());
  const onData = (chunk) => {
    head = Buffer.concat([head, chunk]);
    const end = head.indexOf('\\r\\n\\r\\n');
    if (end < 0) {
      if (head.length > MAX_HEAD) client.end('HTTP/1.1 431 Request Header Fields Too Large\\r\\n\\r\\n');
      return;
    }
    client.off('data', onData);
    const m = /^CONNECT ([0-9.]+):(\\d+) HTTP\\/1\\.[01]\\r\\n/.exec(head.toString('latin1'));
    const port = m === null ? 0 : Number(m[2]);
    if (m === null || !allowed.includes(m[1]) || port < 1 || port > 65535) {
      console.log('refused ' + JSON.stringify(head.toString('latin1').split('\\r\\n')[0]));
      client.end('HTTP/1.1 403 Forbidden\\r\\n\\r\\n');
      return;
    }
    const upstream = net.createConnection(port, m[1]);
    let connected = false;
    upstream.once('connect', () => {
      connected = true;
      console.log('connected ' + m[1] + ':' + m[2]);
      client.write('HTTP/1.1 200 Connection established\\r\\n\\r\\n');
      const rest = head.subarray(end + 4);
      if (rest.length > 0) upstream.write(rest);
      client.pipe(upstream).pipe(client);
    });
    upstream.on('error', (err) => {
      console.log((connected ? 'lost ' : 'dial ') + m[1] + ':' + m[2] + ': ' + err.message);
      if (connected) client.destroy();
      else client.end('HTTP/1.1 502 Bad Gateway\\r\\n\\r\\n');
    });
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  };
  client.on('data', onData);
});
server.listen(path, () => console.log('listening'));
`;

export interface NodeEgressProxy {
  /** Connections the proxy made, refused or failed, one line each. */
  logTail(): string;
  close(): Promise<void>;
}

/** Starts the proxy in `netns` on `socketPath`, dialing only `allowed` addresses; resolves once it listens. */
export async function startNodeEgressProxy(o: { netns: Netns; socketPath: string; allowed: readonly string[]; logPath: string }): Promise<NodeEgressProxy> {
  const child: NetnsProcess = startNodeInNetns(o.netns, 'node-egress', ['-e', PROXY, o.socketPath, ...o.allowed], o.logPath);
  try {
    await waitFor('the node egress proxy to listen', () => Promise.resolve(/^listening$/m.test(child.logTail()) || (child.exitInfo() ? 'exited' : false)), {
      timeoutMs: 30_000,
      intervalMs: 50,
      describe: () => Promise.resolve(child.logTail()),
    }).then((state) => {
      if (state === 'exited') throw new Error(`node egress proxy exited: ${child.logTail()}`);
    });
  } catch (err) {
    await child.stop(2000);
    throw err;
  }
  return { logTail: () => child.logTail(20), close: () => child.stop(2000) };
}
