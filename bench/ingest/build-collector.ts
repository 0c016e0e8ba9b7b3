// Builds the collector as it ships (tsc → collector/dist, client-node bundled), so the benchmark measures the production
// artifact: running the TypeScript sources through a loader adds a loader thread and source caches
// (tens of MiB of RSS) that a deployed collector does not have.
import { execFile } from 'node:child_process';
import { access } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

export interface CollectorBuild {
  ok: boolean;
  /** The compiler's complaints when it reported errors (it still emits what it can). */
  diagnostics: string;
}

export async function buildCollector(repoRoot: string): Promise<CollectorBuild> {
  const tsc = createRequire(join(repoRoot, 'package.json')).resolve('typescript/bin/tsc');
  try {
    await execFileAsync(process.execPath, [tsc, '-b', join(repoRoot, 'collector', 'tsconfig.json')], {
      cwd: repoRoot,
      maxBuffer: 16 << 20,
    });
    // As the image does: @kubernetes/client-node bundled down to what the collector uses.
    await execFileAsync(process.execPath, [join(repoRoot, 'collector', 'scripts', 'bundle-client-node.mjs')], { cwd: repoRoot });
    return { ok: true, diagnostics: '' };
  } catch (err) {
    const stdout = (err as { stdout?: unknown }).stdout;
    return { ok: false, diagnostics: typeof stdout === 'string' ? stdout : String(err) };
  }
}

export async function collectorDistExists(repoRoot: string): Promise<boolean> {
  try {
    await access(join(repoRoot, 'collector', 'dist', 'main.js'));
    return true;
  } catch {
    return false;
  }
}
