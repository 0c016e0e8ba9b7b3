// Entry of the `lastgasp` CLI: hands the process's streams, environment, clock and Ctrl-C to runCli.
import { runCli } from './lastgasp-cli.js';

runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  columns: process.stdout.isTTY ? process.stdout.columns : undefined,
  now: () => Date.now(),
  onInterrupt: (handler) => {
    process.once('SIGINT', handler);
    return () => process.off('SIGINT', handler);
  },
}).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`lastgasp: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  },
);
