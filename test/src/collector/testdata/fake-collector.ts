// A stand-in for `lastgasp-collector serve` in the harness's unit tests: pino-like JSON lines on stdout
// and a /metrics endpoint. The config file's `fake` object picks the behaviour:
//   exitBeforeStart: logs one line and exits with code 3;
//   silent: never logs "collector started";
//   ignoreSigterm: logs SIGTERM and carries on.
// It always logs its arguments first, and a numbered "tick" every 100 ms.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';

interface FakeBehaviour {
  exitBeforeStart?: boolean;
  silent?: boolean;
  ignoreSigterm?: boolean;
}

function line(msg: string, fields: Record<string, unknown> = {}): string {
  return `${JSON.stringify({ level: 30, time: Date.now(), msg, ...fields })}\n`;
}

const argv = process.argv.slice(2);
const configIndex = argv.indexOf('--config');
const configPath = configIndex < 0 ? undefined : argv[configIndex + 1];
const config = configPath === undefined ? null : (JSON.parse(readFileSync(configPath, 'utf8')) as Record<string, unknown>);
const fake = (config?.fake ?? {}) as FakeBehaviour;

process.stdout.write(line('arguments', { argv, execArgv: process.execArgv, env: process.env.FAKE_COLLECTOR_ENV, config }));
process.stderr.write('(node:1) a warning that is no JSON\n');
if (fake.exitBeforeStart === true) {
  process.stdout.write(line('cannot start', { reason: 'told to fail' }));
  process.exit(3);
}

const server = createServer((req, res) => {
  if (req.url !== '/metrics') {
    res.writeHead(404).end();
    return;
  }
  res.writeHead(200, { 'content-type': 'text/plain' });
  res.end('# HELP fake_total a counter\n# TYPE fake_total counter\nfake_total{a="1"} 2\nfake_total{a="2"} 3\n');
});
process.on('SIGTERM', () => {
  process.stdout.write(line(fake.ignoreSigterm === true ? 'SIGTERM ignored' : 'stopping'));
  if (fake.ignoreSigterm !== true) server.close(() => process.exit(0));
});
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  const tick = (): void => {
    let n = 0;
    setInterval(() => process.stdout.write(line('tick', { n: n++ })), 100);
  };
  if (fake.silent === true) {
    tick();
    return;
  }
  // In two writes, as a reader polling the log file may see it: the first half alone is no entry.
  const started = line('collector started', { udp: ['127.0.0.1:6666'], grpc: '127.0.0.1:6667', http: `127.0.0.1:${port}` });
  const half = Math.floor(started.length / 2);
  process.stdout.write(started.slice(0, half));
  setTimeout(() => {
    process.stdout.write(started.slice(half));
    tick();
  }, 200);
});
