// A container of the scenarios in the test's network namespace: `podman run --network ns:<path>`,
// attached, its output in a log file. SIGTERM reaches the container through podman's signal proxy, as
// a kubelet's would; a kill removes the container itself (killing the podman client alone would leave
// it running under conmon). Containers carry the pid of the test process that made them, so one left by
// a test process that died is removed by the next.
import { execFileSync } from 'node:child_process';
import type { Netns } from '@lastgasp/testbed/kernel';
import { RUNTIME_FLAGS } from '@lastgasp/testbed/images';
import { registerCleanup } from '../kernel/cleanup.js';
import { logTail, startProcess } from '../cluster/processes.js';
import type { NetnsProcess } from './netns-process.js';

const OWNER_LABEL = 'lastgasp.dev/e2e-owner';

function podmanSync(args: string[]): string {
  return execFileSync('podman', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

let swept = false;

/** Removes the scenario containers whose test process is gone. */
function removeOrphanContainers(): void {
  const lines = podmanSync(['ps', '-a', '--filter', `label=${OWNER_LABEL}`, '--format', `{{.ID}} {{index .Labels "${OWNER_LABEL}"}}`]);
  for (const line of lines.split('\n')) {
    const [id, owner] = line.trim().split(/\s+/);
    if (id === undefined || id === '' || alive(Number(owner))) continue;
    podmanSync(['rm', '-f', '-t', '0', '--ignore', id]);
  }
}

/** The machine-wide name of the scenario container `name` of this test process. */
function containerName(name: string): string {
  return `${name}-${process.pid}`;
}

/** The image reference the scenario container `name` was started from, as podman resolved it. */
export function containerImage(name: string): string {
  return podmanSync(['container', 'inspect', '--format', '{{.ImageName}}', containerName(name)]).trim();
}

export interface ContainerSpec {
  /** Container name, unique on the machine (the test's pid is added). */
  name: string;
  /** A local image reference (`--pull never`). */
  image: string;
  /** Arguments after the image: its entry point's. */
  args: string[];
  /** Host directories mounted read-only at the same path. */
  readOnlyDirs: string[];
  logPath: string;
}

/** Starts the container in `netns`; `stop()` is SIGTERM through podman, then removal after the grace. */
export function startContainerInNetns(netns: Netns, spec: ContainerSpec): NetnsProcess {
  if (!swept) {
    removeOrphanContainers();
    swept = true;
  }
  const name = containerName(spec.name);
  const remove = (): void => {
    try {
      podmanSync(['rm', '-f', '-t', '0', '--ignore', name]);
    } catch {
      // Best effort from an exit hook: the next run's orphan sweep removes it.
    }
  };
  const p = startProcess({
    name,
    command: 'podman',
    args: [
      'run', '--rm', '--name', name, '--label', `${OWNER_LABEL}=${process.pid}`,
      '--network', `ns:/run/netns/${netns.name}`, ...RUNTIME_FLAGS, '--pull', 'never',
      ...spec.readOnlyDirs.flatMap((d) => ['--volume', `${d}:${d}:ro`]),
      spec.image, ...spec.args,
    ],
    logPath: spec.logPath,
  });
  const unregister = registerCleanup(remove);
  void p.exited.then(unregister);
  return {
    ...p,
    async stop(graceMs = 5000) {
      await p.stop(graceMs);
      remove();
    },
    killSync() {
      remove();
      p.killSync();
    },
    logTail: (lines = 40) => logTail(spec.logPath, lines),
  };
}
