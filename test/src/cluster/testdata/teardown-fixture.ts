// Test fixture: a process that owns a child and a directory through the teardown registry, then waits
// to be ended. argv: <dir> <wait|throw>. Prints the child's pid once set up.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { startProcess } from '../processes.js';
import { registerTeardown } from '../teardown-registry.js';

const [dir = '', mode = 'wait'] = process.argv.slice(2);
mkdirSync(dir, { recursive: true });
writeFileSync(join(dir, 'marker'), 'x');
const child = startProcess({ name: 'sleeper', command: 'sleep', args: ['600'], logPath: join(dir, 'sleeper.log') });
registerTeardown({
  name: 'fixture',
  run: async () => {
    await child.stop();
    await rm(dir, { recursive: true, force: true });
  },
  runSync: () => {
    child.killSync();
    rmSync(dir, { recursive: true, force: true });
  },
});
process.stdout.write(`${child.pid}\n`);
if (mode === 'throw') {
  setTimeout(() => {
    throw new Error('fixture: deliberate uncaught error');
  }, 200);
}
