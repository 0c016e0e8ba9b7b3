// The `lastgasp` CLI: status, hosts, incidents, incident <id>, watch. Everything from the process
// (streams, environment, clock, terminal width, Ctrl-C) comes in through CliIo.
// Exit codes: 0 done; 1 failed (unknown incident, bad request, bad usage); 2 collector unreachable
// or not serving.
import { DURATION_EXAMPLES, parseDuration as parseSharedDuration } from '@lastgasp/proto/duration';
import { VERSION } from '@lastgasp/proto/version';
import { status as grpcStatus, type ServiceError } from '@grpc/grpc-js';
import type { Incident__Output, IncidentEvent__Output, ListIncidentsRequest, WatchIncidentsRequest } from '@lastgasp/proto';
import { Argument, Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { completeWords, completionScript, SHELLS, type Shell } from './completion.js';
import { forwardToCollector, wantsDiscovery, type Forwarded } from './find-collector.js';
import { ClientOptionError, connect, type CollectorApi, type ConnectOptions } from './client.js';
import type { RenderContext } from './render-context.js';
import { renderHosts } from './render-hosts.js';
import { renderEvent, renderIncident, renderIncidents } from './render-incidents.js';
import { renderJson, renderJsonLine, renderYaml, renderYamlDocument } from './render-json.js';
import { renderStatus } from './render-status.js';
import { sanitise } from '@lastgasp/proto/terminal-text';

export interface CliIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
  env: Record<string, string | undefined>;
  /** Terminal width of stdout; undefined when not a terminal. */
  columns: number | undefined;
  now(): number;
  /** Registers a Ctrl-C handler; returns its removal. */
  onInterrupt(handler: () => void): () => void;
}

type OutputFormat = 'table' | 'wide' | 'json' | 'yaml';

interface GlobalOptions {
  server?: string;
  namespace?: string;
  context?: string;
  kubeconfig?: string;
  tls?: boolean;
  ca?: string;
  cert?: string;
  key?: string;
  tlsServerName?: string;
  output: OutputFormat;
  timeout: number;
}

const DEFAULT_SERVER = 'localhost:6667';

/** An option given as an empty string (an unset environment variable exported empty) counts as absent. */
function emptyToUndefined(v: string | undefined): string | undefined {
  return v === undefined || v === '' ? undefined : v;
}
/** A duration flag (`500ms`, `10s`, `1h30m`, `7d`: the shared syntax) → ms. */
export function parseDuration(text: string): number {
  const ms = parseSharedDuration(text);
  if (ms === null) throw new InvalidArgumentError(`expected a duration like ${DURATION_EXAMPLES}`);
  return ms;
}

function parseCount(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a positive whole number');
  return n;
}

function parseSequence(text: string): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < 0) throw new InvalidArgumentError('expected a sequence number (0 or more)');
  return n;
}

/** `--since`: a duration back from now, or an RFC 3339 time. */
function sinceMs(text: string, now: number): number {
  if (/^[\d.]/.test(text) && !text.includes('-')) return now - parseDuration(text);
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) throw new InvalidArgumentError('expected a duration (1h) or a time (2025-01-01T00:00:00Z)');
  return ms;
}

/** Thrown by actions to end with a message and an exit code. */
class CliExit extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

function isServiceError(err: unknown): err is ServiceError {
  return err instanceof Error && typeof (err as Partial<ServiceError>).code === 'number' && 'details' in err;
}

function explain(err: ServiceError, server: string): CliExit {
  const details = err.details.replace(/\s*Resolution note:\s*$/, '');
  switch (err.code) {
    case grpcStatus.UNAVAILABLE:
      return /collector is (starting|shutting down)/.test(err.details)
        ? new CliExit(2, `the collector at ${server} is not serving: ${err.details}`)
        : new CliExit(2, `cannot reach the collector at ${server}: ${details} (set --server or LASTGASP_SERVER)`);
    case grpcStatus.DEADLINE_EXCEEDED:
      return new CliExit(2, `no answer from the collector at ${server} in time (--timeout): ${err.details}`);
    case grpcStatus.NOT_FOUND:
      return new CliExit(1, err.details);
    default:
      return new CliExit(1, `${grpcStatus[err.code]}: ${err.details}`);
  }
}

export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const target: Target = { describe: null, forwarded: null };
  const program = buildProgram(io, target);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode;
    const server = target.describe ?? program.opts<GlobalOptions>().server ?? DEFAULT_SERVER;
    const forwardFailure = target.forwarded?.failure() ?? null;
    const exit =
      err instanceof CliExit
        ? err
        : isServiceError(err)
          ? forwardFailure !== null && err.code === grpcStatus.UNAVAILABLE
            ? new CliExit(2, `cannot reach the collector at ${server}: the port-forward failed: ${forwardFailure}`)
            : explain(err, server)
          : err instanceof ClientOptionError
            ? new CliExit(1, err.message)
            : undefined;
    if (exit === undefined) throw err;
    // The message may carry the server's words (error details): no control characters reach the terminal.
    io.stderr.write(`lastgasp: ${sanitise(exit.message)}\n`);
    return exit.code;
  }
}

/**
 * kubectl's plugin completion protocol (`kubectl_complete-lastgasp <words>`): the candidates for the last
 * word, one a line, then cobra's directive line ":4" (no file names).
 */
export function completionCandidates(words: readonly string[], io: CliIo): string {
  const program = buildProgram(io, { describe: null, forwarded: null });
  return `${[...completeWords(program, words), ':4'].join('\n')}\n`;
}

/** Where the command's calls went, for messages: set once the server is known. */
interface Target {
  describe: string | null;
  forwarded: Forwarded | null;
}

function buildProgram(io: CliIo, target: Target): Command {
  const program = new Command('lastgasp')
    .description('Ask a lastgasp collector what it hears, which nodes died and why, and what was done about each.')
    .option('-s, --server <host:port>', `collector gRPC address (env LASTGASP_SERVER); without it, the collector is found through the kubeconfig and port-forwarded to, or else ${DEFAULT_SERVER}`, emptyToUndefined(io.env.LASTGASP_SERVER))
    .option('-n, --namespace <namespace>', "namespace of the collectors (default: the kubeconfig context's)")
    .option('--context <name>', 'kubeconfig context (default: the current one)')
    .option('--kubeconfig <file>', 'kubeconfig file (default: KUBECONFIG, else ~/.kube/config, else in-cluster)')
    .option('--tls', 'connect with TLS (implied by --ca, --cert, --key)')
    .option('--ca <file>', 'PEM CA bundle that signed the collector certificate (env LASTGASP_CA; default: system roots)', io.env.LASTGASP_CA)
    .option('--cert <file>', 'PEM client certificate, for collectors that require mTLS (env LASTGASP_CERT)', io.env.LASTGASP_CERT)
    .option('--key <file>', 'PEM key of the client certificate (env LASTGASP_KEY)', io.env.LASTGASP_KEY)
    .option('--tls-server-name <name>', 'name to check the collector certificate against, when --server is an address it does not carry (env LASTGASP_TLS_SERVER_NAME)', io.env.LASTGASP_TLS_SERVER_NAME)
    .addOption(new Option('-o, --output <format>', 'output format').choices(['table', 'wide', 'json', 'yaml']).default('table'))
    .addOption(new Option('--timeout <duration>', 'deadline of each call').default(10_000, '10s').argParser(parseDuration))
    .version(`lastgasp ${VERSION}`, '--version', 'print the version')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) })
    .showHelpAfterError();

  const context = (o: GlobalOptions): RenderContext => ({
    now: io.now(),
    width: o.output === 'table' ? widthOf(io) : undefined,
    wide: o.output === 'wide',
  });
  /** `-o json` and `-o yaml` render the API's message itself; null for the table formats. */
  const structured = (o: GlobalOptions, value: unknown): string | null =>
    o.output === 'json' ? renderJson(value) : o.output === 'yaml' ? renderYaml(value) : null;
  const print = (text: string): void => {
    io.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
  };
  async function withApi<T>(command: Command, use: (api: CollectorApi, o: GlobalOptions) => Promise<T>): Promise<T> {
    const o = command.optsWithGlobals<GlobalOptions>();
    let server = o.server;
    const kube = { kubeconfig: emptyToUndefined(o.kubeconfig), context: o.context, namespace: o.namespace };
    if (server === undefined && wantsDiscovery(kube, io.env)) {
      let forwarded: Forwarded;
      try {
        forwarded = await forwardToCollector(kube);
      } catch (err) {
        throw new CliExit(2, `cannot find the collector through the kubeconfig: ${err instanceof Error ? err.message : String(err)} (or give --server)`);
      }
      target.forwarded = forwarded;
      target.describe = forwarded.describe;
      server = forwarded.address;
    }
    server ??= DEFAULT_SERVER;
    target.describe ??= server;
    // Through a port-forward the collector is this machine's loopback, which its certificate names as
    // "localhost" (an IP address is no TLS server name).
    const serverName = emptyToUndefined(o.tlsServerName) ?? (target.forwarded === null ? undefined : 'localhost');
    const options: ConnectOptions = {
      server,
      tls: o.tls === true,
      caFile: emptyToUndefined(o.ca),
      certFile: emptyToUndefined(o.cert),
      keyFile: emptyToUndefined(o.key),
      timeoutMs: o.timeout,
      ...(serverName === undefined ? {} : { channelOptions: { 'grpc.ssl_target_name_override': serverName } }),
    };
    const api = connect(options);
    try {
      return await use(api, o);
    } finally {
      api.close();
      await target.forwarded?.close();
    }
  }

  program
    .command('status')
    .description('health, leadership, listeners, counters and policy of the collector')
    .action((_opts, command: Command) =>
      withApi(command, async (api, o) => {
        const s = await api.getStatus();
        print(structured(o, s) ?? renderStatus(s, context(o)));
      }),
    );

  program
    .command('hosts')
    .description('hosts the collector hears from')
    .option('--node <name>', 'only the host of this Node')
    .action((opts: { node?: string }, command: Command) =>
      withApi(command, async (api, o) => {
        const hosts = [];
        let pageToken = '';
        do {
          const page = await api.listHosts({ node: opts.node ?? '', pageSize: 1000, pageToken });
          hosts.push(...page.hosts);
          pageToken = page.nextPageToken;
        } while (pageToken !== '');
        print(structured(o, hosts) ?? renderHosts(hosts, context(o)));
      }),
    );

  program
    .command('incidents')
    .description('incidents, newest first (sources that are no Node included)')
    .option('--node <name>', 'only incidents of this Node')
    .option('--kind <reason>', 'only this reason code, e.g. KernelPanic')
    .option('--fatal', 'only fatal incidents')
    .option('--non-fatal', 'only non-fatal incidents')
    .option('--since <when>', 'only incidents opened since a duration ago (1h) or a time (RFC 3339)')
    .addOption(new Option('--limit <n>', 'at most this many').default(100).argParser(parseCount))
    .action((opts: { node?: string; kind?: string; fatal?: boolean; nonFatal?: boolean; since?: string; limit: number }, command: Command) =>
      withApi(command, async (api, o) => {
        if (opts.fatal === true && opts.nonFatal === true) throw new CliExit(1, '--fatal and --non-fatal exclude each other');
        const request: ListIncidentsRequest = {
          node: opts.node ?? '',
          kind: opts.kind ?? '',
          fatal: opts.fatal === true ? { value: true } : opts.nonFatal === true ? { value: false } : null,
          since: opts.since === undefined ? null : toTimestamp(sinceMs(opts.since, io.now())),
        };
        const incidents: Incident__Output[] = [];
        let pageToken = '';
        do {
          const page = await api.listIncidents({ ...request, pageSize: Math.min(opts.limit - incidents.length, 1000), pageToken });
          incidents.push(...page.incidents);
          pageToken = page.nextPageToken;
        } while (pageToken !== '' && incidents.length < opts.limit);
        print(structured(o, incidents) ?? renderIncidents(incidents, context(o)));
      }),
    );

  program
    .command('incident')
    .description('one incident: its kernel log, phase and every remediation step')
    .argument('<id>', 'incident id (from `lastgasp incidents`)')
    .action((id: string, _opts, command: Command) =>
      withApi(command, async (api, o) => {
        const incident = await api.getIncident({ id });
        print(structured(o, incident) ?? renderIncident(incident, context(o)));
      }),
    );

  program
    .command('watch')
    .description('follow incident events until Ctrl-C')
    .option('--from <incident-id>', 'replay from the first event of this incident, then follow')
    .addOption(new Option('--after <sequence>', 'replay events after this sequence number, then follow').argParser(parseSequence))
    .action((opts: { from?: string; after?: number }, command: Command) =>
      withApi(command, (api, o) => {
        if (opts.from !== undefined && opts.after !== undefined) throw new CliExit(1, '--from and --after exclude each other');
        const request: WatchIncidentsRequest =
          opts.from !== undefined ? { fromIncidentId: opts.from } : opts.after !== undefined ? { afterSequence: opts.after } : {};
        return follow(api, request, (event) =>
          print(o.output === 'json' ? renderJsonLine(event) : o.output === 'yaml' ? renderYamlDocument(event) : renderEvent(event, context(o))),
        );
      }),
    );

  program
    .command('completion')
    .description('print a shell completion script for lastgasp and kubectl-lastgasp, e.g. source <(lastgasp completion bash)')
    .addArgument(new Argument('<shell>', 'the shell').choices(SHELLS))
    .action((shell: Shell) => {
      io.stdout.write(completionScript(program, shell));
    });

  function follow(api: CollectorApi, request: WatchIncidentsRequest, onEvent: (e: IncidentEvent__Output) => void): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const stream = api.watchIncidents(request);
      let interrupted = false;
      const removeInterrupt = io.onInterrupt(() => {
        interrupted = true;
        stream.cancel();
      });
      stream.on('data', onEvent);
      stream.on('error', (err: ServiceError) => {
        removeInterrupt();
        if (interrupted && err.code === grpcStatus.CANCELLED) resolve();
        else reject(err);
      });
      stream.on('status', (s: { code: grpcStatus }) => {
        if (s.code !== grpcStatus.OK) return;
        removeInterrupt();
        resolve();
      });
    });
  }

  return program;
}

function widthOf(io: CliIo): number | undefined {
  const fromEnv = Number(io.env.COLUMNS);
  if (Number.isInteger(fromEnv) && fromEnv > 0) return fromEnv;
  return io.columns;
}

function toTimestamp(ms: number): { seconds: number; nanos: number } {
  const seconds = Math.floor(ms / 1000);
  return { seconds, nanos: (ms - seconds * 1000) * 1e6 };
}
