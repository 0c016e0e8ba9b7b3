// `lastgasp-collector replay <capture> [--json] [--port N]`: runs a pcap/pcapng capture through the
// same pipeline as the live receiver, with the capture's timestamps as the clock. A bad capture never
// crashes it: a frame without a usable time is skipped and reported by number, a corrupt structure
// ends the reading, and what was read is reported either way (exit codes in `usage`).
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { loadRules, RulesError } from '../classify/rules.js';
import { normaliseAddress } from '../ingest/normalise-address.js';
import { createPipeline, resolveLimits, type Pipeline } from '../pipeline.js';
import type { Incident } from '../types.js';
import { decodeFrame } from './decode-packet.js';
import { sanitise } from '@lastgasp/proto/terminal-text';
import { formatIncidentText, incidentJsonLine } from './format-report.js';
import { CaptureError, isUnusable, readCapture } from './read-capture.js';

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

exit status:
  0  every frame was read and replayed
  1  the capture is corrupt or truncated (reading stopped there), or some frames have no usable
     time (skipped, listed by frame number); everything readable was replayed and reported
  2  bad usage, or the capture or rules file cannot be read
`;

/** Frames without a usable time listed by number in the report; the rest are counted. */
const LISTED_FRAME_ERRORS = 10;

interface ReplaySummary {
  frames: number;
  datagrams: number;
  skipped: Record<string, number>;
  /** Frames skipped for an unusable time: how many, and the first few (1-based frame number, why). */
  timeErrors: number;
  timeErrorFrames: { frame: number; offset: number; detail: string }[];
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
  const summary: ReplaySummary = { frames: 0, datagrams: 0, skipped: {}, timeErrors: 0, timeErrorFrames: [] };
  const { lastTime, failure } = replayFrames(file, pipeline, port, summary);
  const end = (lastTime ?? 0) + resolveLimits().host.quietMs;
  pipeline.tick(end);
  pipeline.flush(end);
  report([...incidents.values()], summary, pipeline.stats().malformed, options.json, streams);
  const shown = sanitise(path);
  for (const error of summary.timeErrorFrames) {
    streams.stderr.write(`replay: ${shown}: frame ${error.frame} (byte offset ${error.offset}) skipped: ${error.detail}\n`);
  }
  if (summary.timeErrors > summary.timeErrorFrames.length) {
    streams.stderr.write(`replay: ${shown}: ${summary.timeErrors - summary.timeErrorFrames.length} more frames skipped for their time\n`);
  }
  if (failure !== null) {
    streams.stderr.write(`replay: ${shown}: corrupt or truncated capture: ${failure.message}\n`);
    return 1;
  }
  return summary.timeErrors > 0 ? 1 : 0;
}

/**
 * Feeds the capture's UDP datagrams to the pipeline with the capture's clock, counting into `summary`.
 * Returns the time of the last datagram (null: none) and the CaptureError that ended the reading.
 */
function replayFrames(file: Buffer, pipeline: Pipeline, port: number | null, summary: ReplaySummary): { lastTime: number | null; failure: CaptureError | null } {
  let lastTime: number | null = null;
  try {
    for (const frame of readCapture(file)) {
      summary.frames++;
      if (isUnusable(frame)) {
        summary.timeErrors++;
        if (summary.timeErrorFrames.length < LISTED_FRAME_ERRORS) {
          summary.timeErrorFrames.push({ frame: summary.frames, offset: frame.offset, detail: frame.detail });
        }
        continue;
      }
      const decoded = decodeFrame(frame.linkType, frame.data);
      if (!decoded.ok || (port !== null && decoded.destinationPort !== port)) {
        const reason = decoded.ok ? 'other-port' : decoded.reason;
        summary.skipped[reason] = (summary.skipped[reason] ?? 0) + 1;
        continue;
      }
      summary.datagrams++;
      lastTime = Math.max(lastTime ?? frame.timestampMs, frame.timestampMs);
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
    return { lastTime, failure: err };
  }
  return { lastTime, failure: null };
}

/** `; 2 frames with no usable time (frames 3, 7)`, or nothing. */
function timeErrorsText(summary: ReplaySummary): string {
  const n = summary.timeErrors;
  if (n === 0) return '';
  const numbers = summary.timeErrorFrames.map((e) => e.frame).join(', ');
  const more = n > summary.timeErrorFrames.length ? ', …' : '';
  return `; ${n} ${n === 1 ? 'frame' : 'frames'} with no usable time (${n === 1 ? 'frame' : 'frames'} ${numbers}${more})`;
}

function report(incidents: Incident[], summary: ReplaySummary, malformed: number, json: boolean, streams: ReplayStreams): void {
  const skipped = Object.entries(summary.skipped).map(([reason, n]) => `${reason}=${n}`).join(' ') || 'none';
  const line = `read ${summary.frames} frames, ${summary.datagrams} UDP datagrams (${malformed} malformed; skipped: ${skipped})${timeErrorsText(summary)}; ${incidents.length} incidents\n`;
  if (json) {
    for (const incident of incidents) streams.stdout.write(`${incidentJsonLine(incident)}\n`);
    streams.stderr.write(line);
    return;
  }
  streams.stdout.write(line);
  for (const incident of incidents) streams.stdout.write(`\n${formatIncidentText(incident)}`);
}

function isNodeError(err: unknown): err is NodeJS.ErrnoException {
  return err instanceof Error && 'code' in err;
}
