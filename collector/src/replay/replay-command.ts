// `lastgasp-collector replay <capture> [--json] [--port N]`: runs a pcap/pcapng capture through the
// same pipeline as the live receiver, with the capture's timestamps as the clock.
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { loadRules, RulesError } from '../classify/rules.js';
import { normaliseAddress } from '../ingest/normalise-address.js';
import { createPipeline, resolveLimits } from '../pipeline.js';
import type { Incident } from '../types.js';
import { decodeFrame } from './decode-packet.js';
import { formatIncidentText, incidentJson } from './format-report.js';
import { CaptureError, readCapture } from './read-capture.js';

export interface ReplayStreams {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
}

const usage = `usage: lastgasp-collector replay <capture.pcap|capture.pcapng> [flags]

Runs the UDP datagrams of a capture through the collector's pipeline and prints the incidents.

flags:
  --json            one JSON object per incident per line
  --port N          only UDP datagrams sent to port N (default: any port)
  --rules FILE      classification rules (default: the shipped rules)
  --refuse-legacy   do not let legacy (non-extended) console text open incidents
  -h, --help        this text
`;

interface ReplaySummary {
  frames: number;
  datagrams: number;
  skipped: Record<string, number>;
}

interface ReplayOptions {
  path: string;
  json: boolean;
  port: number | null;
  rules: string | undefined;
  trustLegacy: boolean;
}

/** Parses the command line; returns an exit code when there is nothing to replay. */
function parseReplayArgs(argv: string[], streams: ReplayStreams): ReplayOptions | number {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        json: { type: 'boolean', default: false },
        port: { type: 'string' },
        rules: { type: 'string' },
        'refuse-legacy': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (err) {
    streams.stderr.write(`replay: ${err instanceof Error ? err.message : String(err)}\n\n${usage}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    streams.stdout.write(usage);
    return 0;
  }
  const [path, ...extra] = positionals;
  if (path === undefined || extra.length > 0) {
    streams.stderr.write(`replay: expected exactly one capture file\n\n${usage}`);
    return 2;
  }
  const port = values.port === undefined ? null : Number(values.port);
  if (port !== null && !(Number.isInteger(port) && port >= 0 && port <= 65535)) {
    streams.stderr.write(`replay: --port: "${values.port}" is not a port number\n`);
    return 2;
  }
  return { path, json: values.json, port, rules: values.rules, trustLegacy: !values['refuse-legacy'] };
}

export async function replayCommand(argv: string[], streams: ReplayStreams): Promise<number> {
  const options = parseReplayArgs(argv, streams);
  if (typeof options === 'number') return options;
  const { path, port } = options;
  let rules;
  let file: Buffer;
  try {
    rules = loadRules(options.rules);
    file = await readFile(path);
  } catch (err) {
    if (err instanceof RulesError || isNodeError(err)) {
      streams.stderr.write(`replay: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
  const incidents = new Map<string, Incident>();
  const pipeline = createPipeline({
    rules,
    trustLegacy: options.trustLegacy,
    onEvent: (event) => incidents.set(event.incident.id, event.incident),
  });
  const summary: ReplaySummary = { frames: 0, datagrams: 0, skipped: {} };
  let lastTime = 0;
  let failure: CaptureError | null = null;
  try {
    for (const frame of readCapture(file)) {
      summary.frames++;
      const decoded = decodeFrame(frame.linkType, frame.data);
      if (!decoded.ok || (port !== null && decoded.destinationPort !== port)) {
        const reason = decoded.ok ? 'other-port' : decoded.reason;
        summary.skipped[reason] = (summary.skipped[reason] ?? 0) + 1;
        continue;
      }
      summary.datagrams++;
      lastTime = Math.max(lastTime, frame.timestampMs);
      // Time moves with the capture: call back whenever the pipeline's next deadline has passed.
      const due = pipeline.nextDeadline();
      if (due !== null && due <= frame.timestampMs) pipeline.tick(frame.timestampMs);
      pipeline.ingest({
        source: normaliseAddress(decoded.source),
        sourcePort: decoded.sourcePort,
        payload: decoded.payload,
        receivedAt: frame.timestampMs,
      });
    }
  } catch (err) {
    if (!(err instanceof CaptureError)) throw err;
    failure = err;
  }
  const end = lastTime + resolveLimits().host.quietMs;
  pipeline.tick(end);
  pipeline.flush(end);
  report([...incidents.values()], summary, pipeline.stats().malformed, options.json, streams);
  if (failure !== null) {
    streams.stderr.write(`replay: ${path}: corrupt or truncated capture: ${failure.message}\n`);
    return 1;
  }
  return 0;
}

function report(incidents: Incident[], summary: ReplaySummary, malformed: number, json: boolean, streams: ReplayStreams): void {
  const skipped = Object.entries(summary.skipped).map(([reason, n]) => `${reason}=${n}`).join(' ') || 'none';
  const line = `read ${summary.frames} frames, ${summary.datagrams} UDP datagrams (${malformed} malformed; skipped: ${skipped}); ${incidents.length} incidents\n`;
  if (json) {
    for (const incident of incidents) streams.stdout.write(`${JSON.stringify(incidentJson(incident))}\n`);
    streams.stderr.write(line);
    return;
  }
  streams.stdout.write(line);
  for (const incident of incidents) streams.stdout.write(`\n${formatIncidentText(incident)}`);
}

function isNodeError(err: unknown): err is NodeJS.ErrnoException {
  return err instanceof Error && 'code' in err;
}
