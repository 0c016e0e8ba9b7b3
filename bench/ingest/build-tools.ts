// Compiles the benchmark's C programs (load generator, reference receiver) with the system C compiler
// into a cache directory keyed by a hash of their sources and flags, so a rerun compiles nothing.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { access, mkdir, readFile, rename, rm } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);
const here = dirname(fileURLToPath(import.meta.url));
const CFLAGS = ['-O2', '-Wall', '-Wextra', '-pthread'];
const PROGRAMS = ['loadgen', 'refrecv'] as const;

export interface Tools {
  loadgen: string;
  refrecv: string;
}

export function defaultCacheRoot(env: NodeJS.ProcessEnv): string {
  return env.LASTGASP_CACHE ?? join(homedir(), '.cache', 'lastgasp');
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

export async function buildTools(opts: { cacheRoot: string; cc?: string; log: (line: string) => void }): Promise<Tools> {
  const cc = opts.cc ?? 'cc';
  const hash = createHash('sha256').update(CFLAGS.join(' '));
  for (const name of PROGRAMS) hash.update(await readFile(join(here, `${name}.c`)));
  const dir = join(opts.cacheRoot, `bench-ingest-${hash.digest('hex').slice(0, 12)}`);
  const tools: Tools = { loadgen: join(dir, 'loadgen'), refrecv: join(dir, 'refrecv') };
  if ((await exists(tools.loadgen)) && (await exists(tools.refrecv))) return tools;
  await mkdir(dir, { recursive: true });
  for (const name of PROGRAMS) {
    opts.log(`compiling ${name}.c`);
    // Compile to a temporary name and rename, so an interrupted build never leaves a half-written binary.
    const partial = join(dir, `${name}.partial-${process.pid}`);
    try {
      await execFileAsync(cc, [...CFLAGS, '-o', partial, join(here, `${name}.c`)]);
      await rename(partial, join(dir, name));
    } catch (err) {
      await rm(partial, { force: true });
      throw new Error(`compiling ${name}.c with ${cc} failed (is a C compiler installed?)`, { cause: err });
    }
  }
  return tools;
}
