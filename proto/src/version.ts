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

/**
 * The source revision the running build was made from: LASTGASP_REVISION, which the images set from
 * their REVISION build argument (the same value as the org.opencontainers.image.revision label);
 * "unknown" when it was not given (a checkout, a plain image build).
 */
export function buildRevision(env: NodeJS.ProcessEnv = process.env): string {
  const revision = env['LASTGASP_REVISION']?.trim();
  return revision === undefined || revision === '' ? 'unknown' : revision;
}

/** What `lastgasp_build_info` and the first log line say about the build. */
export interface BuildInfo {
  version: string;
  revision: string;
  /** The Node.js running it, without the "v" (e.g. 24.22.3). */
  nodeVersion: string;
}

export function buildInfo(env: NodeJS.ProcessEnv = process.env): BuildInfo {
  return { version: VERSION, revision: buildRevision(env), nodeVersion: process.versions.node };
}

/**
 * The metric `lastgasp_build_info{version,revision,node_version} 1` that the collector and the agent
 * both export: its definition (for a prom-client Gauge) and this build's label values.
 */
export const BUILD_INFO_METRIC = {
  name: 'lastgasp_build_info',
  help: 'The running build: version, source revision ("unknown" when the build did not say) and Node.js version; always 1.',
  labelNames: ['version', 'revision', 'node_version'],
} as const;

export function buildInfoLabels(env: NodeJS.ProcessEnv = process.env): Record<(typeof BUILD_INFO_METRIC.labelNames)[number], string> {
  const info = buildInfo(env);
  return { version: info.version, revision: info.revision, node_version: info.nodeVersion };
}
