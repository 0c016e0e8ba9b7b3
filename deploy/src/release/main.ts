// `npm run release -- --registry HOST[:PORT][/PATH] …`: see USAGE in options.ts.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseReleaseArgs, UsageError, USAGE, type Builder } from './options.js';
import { release } from './release.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const log = (line: string): void => void process.stderr.write(`[release] ${line}\n`);

function installed(): Builder[] {
  return (['docker', 'podman', 'buildah'] as const).filter((b) => {
    try {
      execFileSync('sh', ['-c', `command -v ${b}`], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  });
}

if (process.argv.includes('--help')) {
  process.stdout.write(USAGE);
  process.exit(0);
}
try {
  const nodeMajor = Number(readFileSync(join(ROOT, '.node-version'), 'utf8').trim().split('.')[0]);
  const opts = parseReleaseArgs(process.argv.slice(2), { nodeMajor, installed: installed() });
  const record = await release(opts, { root: ROOT, log, now: () => new Date() });
  process.stdout.write(`${JSON.stringify(record, null, 2)}\n`);
} catch (err) {
  if (err instanceof UsageError) process.stderr.write(`release: ${err.message}\n\n${USAGE}`);
  else log(`failed: ${(err as Error).message}`);
  process.exitCode = err instanceof UsageError ? 2 : 1;
}
