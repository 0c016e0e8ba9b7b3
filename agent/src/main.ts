// lastgasp-agent: reads config, starts the app, handles signals. Exit codes: 0 clean stop, 1 runtime
// failure, 2 bad configuration.
import { logDestination } from '@lastgasp/proto/log-format';
import { buildInfo, VERSION } from '@lastgasp/proto/version';
import { pino } from 'pino';
import { startApp } from './app.js';
import { ConfigError, loadConfig, USAGE } from './config/config.js';

async function run(argv: string[]): Promise<number> {
  if (argv.includes('--version')) {
    process.stdout.write(`lastgasp-agent ${VERSION}\n`);
    return 0;
  }
  let config;
  try {
    config = await loadConfig(argv, process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`lastgasp-agent: ${err.message}\n\n${USAGE}`);
      return 2;
    }
    throw err;
  }
  if (config === 'help') {
    process.stdout.write(USAGE);
    return 0;
  }
  const logger = pino({ name: 'lastgasp-agent', level: config.logLevel }, logDestination(config.logFormat));
  const build = buildInfo();
  logger.info({ version: build.version, revision: build.revision, nodeVersion: build.nodeVersion }, 'lastgasp-agent starting');
  const app = await startApp(config, { logger });
  logger.info({ version: VERSION, node: config.nodeName, http: app.httpPort }, 'agent started');
  return new Promise((resolve) => {
    let stopping = false;
    const onSignal = (signal: NodeJS.Signals) => {
      if (stopping) return;
      stopping = true;
      logger.info({ signal }, 'stopping');
      app.shutdown().then(
        () => resolve(0),
        (err: unknown) => {
          logger.error({ err }, 'shutdown failed');
          resolve(1);
        },
      );
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  });
}

run(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`lastgasp-agent: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
