// Sends datagrams from a Node's address inside the test bed's node address pool, as that node's kernel
// would: a short Node.js script run in the pool's network namespace, bound to the address.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { NodeAddressPool } from '@lastgasp/testbed/cluster';

const run = promisify(execFile);

const SENDER = `
const d = require('node:dgram').createSocket('udp4');
const [from, to, port, ...hex] = process.argv.slice(1);
d.bind({ address: from, port: 0 }, async () => {
  for (const h of hex) await new Promise((ok, ko) => d.send(Buffer.from(h, 'hex'), Number(port), to, (e) => (e ? ko(e) : ok())));
  d.close();
});`;

/** One UDP datagram per hex string, from `from` (a pool address) to `to:port`, in order. */
export async function sendFromPool(pool: NodeAddressPool, from: string, to: string, port: number, hex: readonly string[]): Promise<void> {
  await run('ip', ['netns', 'exec', pool.netns, process.execPath, '-e', SENDER, from, to, String(port), ...hex], { maxBuffer: 1 << 20 });
}
