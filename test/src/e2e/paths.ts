// Where things are, for processes started on the host, inside the namespace and inside the guest: the
// guest mounts the host's root at the same paths, so one absolute path serves all three.
import { fileURLToPath } from 'node:url';

/** The repository root (this file is test/src/e2e/paths.ts, or test/dist/e2e/paths.js when built). */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url)).replace(/\/$/, '');
export const CLI_MAIN = `${REPO_ROOT}/collector/src/cli/main.ts`;
export const AGENT_MAIN = `${REPO_ROOT}/agent/src/main.ts`;
export const CRD_PATH = `${REPO_ROOT}/deploy/helm/lastgasp/crds/nodeincidents.lastgasp.dev.yaml`;
/** tsx's loader as a file URL, so `node --import <it>` works whatever the working directory. */
export const TSX_LOADER = import.meta.resolve('tsx');
