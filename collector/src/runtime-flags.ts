// How the collector's Node.js runs in the image (ENV NODE_OPTIONS in deploy/images/collector.Dockerfile;
// a test keeps the two equal, and the benchmarks run the collector with it).
//
// V8's young generation grows to 2 × 16 MiB semi-spaces after a burst of allocation (a remediation's
// API answers, a relist, a datagram flood) and stays committed. 4 MiB semi-spaces measured, with the
// remediation benchmark: 119 instead of 141 MiB RSS at start, 137 instead of 159–180 MiB with 2,000
// Nodes, the same remediation latency.
export const COLLECTOR_NODE_OPTIONS = '--max-semi-space-size=4';
