export * from './types.js';
// Receive path: listener, pipeline (parse → reassemble → host context → classify), rules, replay.
export { startUdpListener, DEFAULT_RECV_BUFFER_BYTES } from './ingest/udp-listener.js';
export type { UdpListener, UdpListenerOptions, UdpListenerStats, ListenerLogger } from './ingest/udp-listener.js';
export { normaliseAddress, parseListenAddress } from './ingest/normalise-address.js';
export { createPipeline, DEFAULT_PIPELINE_LIMITS, resolveLimits } from './pipeline.js';
export type { Pipeline, PipelineOptions, PipelineStats, PipelineLimits, PipelineLimitOptions } from './pipeline.js';
export { loadRules, parseRules, RulesError, SHIPPED_RULES_PATH } from './classify/rules.js';
export type { Rule, Rules } from './classify/rules.js';
export { parseDatagram } from './parse/parse-datagram.js';
export { formatExtended, MAX_PRINT_CHUNK } from './parse/format-extended.js';
export type { ExtendedRecordSpec } from './parse/format-extended.js';
export { PARSE_ERROR_REASONS } from './types.js';
export type { ParseError, ParseErrorReason, ParseResult, ParsedFrame, ExtendedFrame, LegacyFrame, KernelRecord } from './types.js';
export { readCapture, CaptureError, isUnusable } from './replay/read-capture.js';
export type { CaptureEntry, CapturedFrame, UnusableFrame } from './replay/read-capture.js';
export { decodeFrame, LINKTYPE } from './replay/decode-packet.js';
// The gRPC client the CLI uses.
export { connect } from './cli/client.js';
export type { CollectorApi, ConnectOptions } from './cli/client.js';
// The Node.js options the collector runs with in its image.
export { COLLECTOR_NODE_OPTIONS } from './runtime-flags.js';
// Settings as the config file writes them (Go durations).
export { parseDuration } from '@lastgasp/proto/duration';
