// @lastgasp/testbed/collector — the collector as a real process, for tests and benchmarks.
export {
  spawnCollector,
  startCollector,
  type CollectorEntry,
  type CollectorListeners,
  type CollectorProcess,
  type CollectorProcessOptions,
  type SpawnedCollector,
  type StartCollectorOptions,
} from './collector-process.js';
export type { ExitInfo } from '../cluster/processes.js';
export type { LogEntry } from './log-lines.js';
export { sumSamples } from './prometheus-text.js';
export { scrapeMetrics } from './scrape-metrics.js';
export { spawnNode, type LaunchNode, type NodeLaunch, type NodeProcess } from './spawn-node.js';
