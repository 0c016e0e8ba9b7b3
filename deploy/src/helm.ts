// Runs the helm binary for tests: its cache, config and data kept in a directory the test owns, the
// cluster named by an explicit kubeconfig, nothing read from the user's environment.
import { readVersions } from '@lastgasp/testbed/cluster';
import { execFile } from 'node:child_process';
import { join } from 'node:path';

export interface HelmResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface Helm {
  /** Runs helm and returns its exit code and output; never throws for a non-zero exit. */
  run(args: string[]): Promise<HelmResult>;
  /** Runs helm and returns stdout; throws with the command and stderr on a non-zero exit. */
  ok(args: string[]): Promise<string>;
}

export interface HelmOptions {
  binary: string;
  /** Directory for helm's cache, config and data. */
  home: string;
  kubeconfig?: string;
  /** Per-call limit, in ms. Default 180 000 (installs on a loaded machine). */
  timeoutMs?: number;
}

export function createHelm(opts: HelmOptions): Helm {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env['PATH'],
    HOME: opts.home,
    HELM_CACHE_HOME: join(opts.home, 'cache'),
    HELM_CONFIG_HOME: join(opts.home, 'config'),
    HELM_DATA_HOME: join(opts.home, 'data'),
    ...(opts.kubeconfig ? { KUBECONFIG: opts.kubeconfig } : {}),
  };
  const run = (args: string[]): Promise<HelmResult> =>
    new Promise((resolve) => {
      execFile(opts.binary, args, { env, timeout: opts.timeoutMs ?? 180_000, maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : null) : 0;
        resolve({ code, stdout, stderr: err && code === null ? `${stderr}\n${err.message}` : stderr });
      });
    });
  return {
    run,
    async ok(args) {
      const result = await run(args);
      if (result.code !== 0) throw new Error(`helm ${args.join(' ')} exited ${String(result.code)}:\n${result.stderr}`);
      return result.stdout;
    },
  };
}

/**
 * `--kube-version` for `helm template`: the test control plane's Kubernetes. Helm checks the chart's
 * kubeVersion against it; a helm built from Go modules (without release ldflags) assumes v1.20.0.
 */
export function kubeVersionArgs(): string[] {
  return ['--kube-version', readVersions().kubernetes];
}
