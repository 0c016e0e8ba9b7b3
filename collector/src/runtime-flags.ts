// How the collector's Node.js runs in the image (ENV NODE_OPTIONS in deploy/images/collector.Dockerfile;
// a test keeps the two equal, and the benchmarks run the collector with it).
//
// V8's young generation grows to 2 × 16 MiB semi-spaces after a burst of allocation (a remediation's
// API answers, a relist, a datagram flood) and stays committed. 4 MiB semi-spaces measured, with the
// remediation benchmark: 119 instead of 141 MiB RSS at start, 137 instead of 159–180 MiB with 2,000
// Nodes, the same remediation latency.
//
// The old generation is capped at 256 MiB: V8 otherwise sizes its heap from the machine's memory, not
// the container's limit (the chart's 384Mi), and under a flood lets garbage grow toward it, so the
// kernel's OOM killer would end the process where a garbage collection would have done. Everything the
// collector keeps is bounded well under the cap (config `limits`, about 210 MiB with every bound full).
//
// DEP0169 is not printed: node-fetch 2 (under @kubernetes/client-node 1.x) calls url.parse() for every
// request, and the one warning it causes would be the only line of the log that is not JSON.
export const COLLECTOR_NODE_OPTIONS = '--max-semi-space-size=4 --max-old-space-size=256 --disable-warning=DEP0169';
