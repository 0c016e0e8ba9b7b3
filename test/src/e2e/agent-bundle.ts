// The agent from this checkout's sources as one JavaScript file, for the guest: under emulation, Node.js
// in the guest spends most of a minute loading TypeScript through tsx module by module over 9p; one
// bundled file starts in seconds, like the compiled agent in production. The guest sees the host's root
// read-only and mounts its own /tmp, so the file goes to the per-machine cache, not the temp dir.
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { registerCleanup } from '../kernel/cleanup.js';
import { AGENT_MAIN } from './paths.js';
import { VERSION } from '@lastgasp/proto/version';

export interface AgentBundle {
  path: string;
  remove(): Promise<void>;
}

export async function bundleAgent(): Promise<AgentBundle> {
  const dir = join(process.env['LASTGASP_CACHE'] ?? join(homedir(), '.cache', 'lastgasp'), 'e2e-agent');
  await mkdir(dir, { recursive: true });
  const path = join(dir, `agent-${process.pid}-${randomBytes(4).toString('hex')}.mjs`);
  const unregister = registerCleanup(() => rmSync(path, { force: true }));
  await build({
    entryPoints: [AGENT_MAIN],
    outfile: path,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node24',
    conditions: ['lastgasp-source'],
    // The bundle lives outside the repository, where proto/src/version.ts cannot find package.json.
    define: { LASTGASP_BUNDLED_VERSION: JSON.stringify(VERSION) },
    logLevel: 'error',
    // CommonJS dependencies (pino) call require() for Node's built-ins; an ES module has none of its own.
    banner: { js: "import { createRequire as __lgCreateRequire } from 'node:module'; const require = __lgCreateRequire(import.meta.url);" },
  });
  return {
    path,
    remove: async () => {
      await rm(path, { force: true });
      unregister();
    },
  };
}
