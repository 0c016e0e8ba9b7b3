// Locates grpcurl for tests: built from its Go module into the per-machine cache by
// test/cluster/build-binaries.sh (which returns at once when cached, and waits for a build in progress).
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const BUILD_DIR = fileURLToPath(new URL('../../../test/cluster/', import.meta.url));

export async function grpcurlBinary(env: Record<string, string | undefined> = process.env): Promise<string> {
  const versions = readFileSync(join(BUILD_DIR, 'versions.env'), 'utf8');
  const version = /^GRPCURL_VERSION=["']?([^"'\s#]+)/m.exec(versions)?.[1];
  if (version === undefined) throw new Error('test/cluster/versions.env: GRPCURL_VERSION is missing');
  await promisify(execFile)('bash', [join(BUILD_DIR, 'build-binaries.sh'), 'grpcurl'], { maxBuffer: 16 * 1024 * 1024 });
  const cache = env.LASTGASP_CACHE ?? join(homedir(), '.cache', 'lastgasp');
  return join(cache, `grpcurl-${version}`, 'grpcurl');
}
