// lastgasp-collector: picks the subcommand and hands over. Each command returns its exit code.
//   lastgasp-collector serve [flags]      run the collector
//   lastgasp-collector replay <capture>   feed a pcap/pcapng capture through the same pipeline
const usage = `usage: lastgasp-collector <command> [flags]

commands:
  serve            receive netconsole datagrams, classify, remediate (see: serve --help)
  replay <file>    run a pcap or pcapng capture through the same pipeline (see: replay --help)
  --version        print the version
`;

async function run(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'serve': {
      const { serveCommand } = await import('./serve-command.js');
      return serveCommand(rest);
    }
    case 'replay': {
      const { replayCommand } = await import('./replay/replay-command.js');
      return replayCommand(rest, { stdout: process.stdout, stderr: process.stderr });
    }
    case '--version':
    case 'version': {
      const { VERSION } = await import('@lastgasp/proto/version');
      process.stdout.write(`lastgasp-collector ${VERSION}\n`);
      return 0;
    }
    case undefined:
    case '-h':
    case '--help':
    case 'help':
      process.stdout.write(usage);
      return command === undefined ? 2 : 0;
    default:
      process.stderr.write(`unknown command "${command}"\n\n${usage}`);
      return 2;
  }
}

// A closed pipe (`lastgasp-collector replay x.pcap | head`) ends the output, not the process with a trace.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw err;
});

run(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`lastgasp-collector: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  },
);
