// Test fixture: a process that creates a node address pool and then ends without removing it.
// argv: <wait|throw|exit> (throw and exit 3 s after printing: time for the test to see the pool first). Prints the pool's namespace, host device and blocks as one JSON line.
import { createNodeAddressPool } from '../node-address-pool.js';

const [mode = 'wait'] = process.argv.slice(2);
const pool = await createNodeAddressPool();
process.stdout.write(
  `${JSON.stringify({ netns: pool.netns, hostDevice: pool.hostDevice, v4: pool.layout.ipv4.block, v6: pool.layout.ipv6?.block })}\n`,
);
if (mode === 'throw') {
  setTimeout(() => {
    throw new Error('fixture: deliberate uncaught error');
  }, 3000);
} else if (mode === 'exit') {
  setTimeout(() => process.exit(0), 3000);
} else {
  setInterval(() => undefined, 60_000);
}
