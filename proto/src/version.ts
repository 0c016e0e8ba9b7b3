// The project's one version: the root package.json's "version". The images, the chart (a test keeps
// Chart.yaml's version and appVersion equal to it), every binary's --version, the start-up log lines and
// GetStatus read it from here. The file sits two levels below the repository root both as source
// (proto/src) and built (proto/dist), and the images keep that layout under /app; a bundle (the test
// bed's one-file agent) has it defined at build time instead.
import { readFileSync } from 'node:fs';

/** Set by a bundler that moves this file away from the repository layout (esbuild `define`). */
declare const LASTGASP_BUNDLED_VERSION: string | undefined;

function readVersion(): string {
  if (typeof LASTGASP_BUNDLED_VERSION === 'string') return LASTGASP_BUNDLED_VERSION;
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: unknown };
  if (typeof pkg.version !== 'string' || pkg.version === '') throw new Error('the root package.json has no "version"');
  return pkg.version;
}

export const VERSION: string = readVersion();
