// Entry of kubectl_complete-lastgasp: kubectl (1.26+) runs it with the words typed after
// `kubectl lastgasp` to complete a plugin's arguments.
import { completionCandidates } from './lastgasp-cli.js';

process.stdout.write(
  completionCandidates(process.argv.slice(2), {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    columns: undefined,
    now: () => Date.now(),
    onInterrupt: () => () => {},
  }),
);
