// The receive path: the UDP listener feeding the pipeline, which is ticked so that the incidents of hosts
// gone quiet close and stale fragments expire. Stopping closes the sockets first, then flushes the
// pipeline so every incident still open is closed.
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { Rules } from '../classify/rules.js';
import type { CollectorConfig } from '../config/config.js';
import { registerReceiverInfo } from '../http/metrics.js';
import { startUdpListener, type UdpListener } from '../ingest/udp-listener.js';
import { listenerQueueOptions, pipelineLimitOptions } from '../config/receive-limits.js';
import { createPipeline, type Pipeline } from '../pipeline.js';
import type { IncidentEvent } from '../types.js';
import type { Stops } from './stops.js';

/** How often the pipeline is given the time, ms. */
const TICK_MS = 250;

export interface ReceivePath {
  pipeline: Pipeline;
  listener: UdpListener;
}

export async function startReceive(parts: {
  config: CollectorConfig;
  rules: Rules;
  now: () => number;
  logger: Logger;
  onEvent: (event: IncidentEvent) => void;
  /** Where the receive path in use is shown (lastgasp_udp_receiver_info). */
  registry: Registry;
  stops: Stops;
  /** Whether a source address is a Node's (absent: every source counts as one, e.g. standalone). */
  isKnownSource?: ((address: string) => boolean) | undefined;
}): Promise<ReceivePath> {
  const { config, now, logger, stops } = parts;
  const pipeline = createPipeline({
    rules: parts.rules,
    trustLegacy: config.trustLegacy,
    onEvent: parts.onEvent,
    limits: pipelineLimitOptions(config.limits),
    ...(parts.isKnownSource === undefined ? {} : { isKnownSource: parts.isKnownSource }),
  });
  const ticker = setInterval(() => pipeline.tick(now()), TICK_MS);
  stops.add(() => {
    clearInterval(ticker);
    pipeline.flush(now());
  });

  const listener = await startUdpListener({
    host: config.udpListen.host,
    port: config.udpListen.port,
    recvBufferBytes: config.udpRecvBufferBytes,
    receiver: config.udpReceiver,
    onDatagram: (d) => pipeline.ingest(d),
    ...listenerQueueOptions(config.limits),
    logger,
  });
  stops.add(() => listener.close());
  registerReceiverInfo(parts.registry, listener.receiver);
  return { pipeline, listener };
}
