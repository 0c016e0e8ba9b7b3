// The demo needs root (network namespaces, a TAP device, QEMU in the namespace). Pure: the caller
// passes in who it runs as and how it was started, and gets the message and exit code to use.

export interface RootCheckInput {
  /** process.getuid(), or undefined where there is none. */
  uid: number | undefined;
  /** The command a person runs, e.g. `npm run demo`. */
  command: string;
  /** The working directory to run it from. */
  cwd: string;
}

export type RootCheck = { ok: true } | { ok: false; exitCode: number; message: string };

/** Exit code when not root: like sudo's "not allowed", and distinct from a failed demo (1). */
export const NOT_ROOT_EXIT_CODE = 77;

export function checkRoot(input: RootCheckInput): RootCheck {
  if (input.uid === 0) return { ok: true };
  const cwd = `'${input.cwd.replace(/'/g, `'\\''`)}'`;
  const message =
    'The demo needs root: it creates a network namespace with a TAP device and runs QEMU and the ' +
    'collector inside it.\nRun it as root:\n\n' +
    `  cd ${cwd} && sudo -E env "PATH=$PATH" ${input.command}\n`;
  return { ok: false, exitCode: NOT_ROOT_EXIT_CODE, message };
}
