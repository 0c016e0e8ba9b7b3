// One benchmark trial: send at a rate for a while, wait until the receiver has drained what it got,
// and compare what it received and parsed with what the generator says it sent.
import { isGeneratorLimited, type TrialResult } from './find-zero-loss.js';
import { runLoad, type LoadOptions, type LoadReport } from './load-generator.js';
import { processCpuSeconds } from './process-cpu.js';
import type { Receiver, ReceiverCounts } from './receiver.js';
import { socketDrops } from './socket-drops.js';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export interface DrainOptions {
  /** Stop waiting when the counts have not moved for this long, ms. */
  quietMs: number;
  /** Stop waiting after this long in any case, ms. */
  timeoutMs: number;
}

/**
 * Polls until `parsed` has reached `before.parsed + sent`, or stops moving for `quietMs`. Returns the
 * last counts seen. A receiver that is still working through a backlog keeps moving, so it is waited for.
 */
export async function drain(receiver: Receiver, before: ReceiverCounts, sent: number, opts: DrainOptions): Promise<ReceiverCounts> {
  const start = Date.now();
  let last = await receiver.counts();
  let lastMoved = Date.now();
  while (last.parsed - before.parsed < sent && Date.now() - start < opts.timeoutMs) {
    await sleep(100);
    const now = await receiver.counts();
    if (now.parsed !== last.parsed || now.received !== last.received) lastMoved = Date.now();
    last = now;
    if (Date.now() - lastMoved >= opts.quietMs) break;
  }
  return last;
}

export async function runTrial(
  receiver: Receiver,
  loadgen: string,
  load: Omit<LoadOptions, 'target'>,
  opts: DrainOptions,
): Promise<TrialResult & { report: LoadReport; receiverCpuSeconds: number }> {
  const before = await receiver.counts();
  const dropsBefore = await socketDrops(receiver.port);
  const cpuBefore = await processCpuSeconds(receiver.pid);
  const report = await runLoad(loadgen, { ...load, target: { host: receiver.host, port: receiver.port } });
  const after = await drain(receiver, before, report.sent, opts);
  const dropsAfter = await socketDrops(receiver.port);
  const receiverCpuSeconds = (await processCpuSeconds(receiver.pid)) - cpuBefore;
  const received = after.received - before.received;
  const parsed = after.parsed - before.parsed;
  return {
    targetPps: load.ratePps,
    achievedPps: report.achievedPps,
    sent: report.sent,
    received,
    parsed,
    socketDrops: dropsBefore !== null && dropsAfter !== null ? dropsAfter - dropsBefore : null,
    zeroLoss: report.sent > 0 && received === report.sent && parsed === report.sent,
    generatorLimited: isGeneratorLimited(load.ratePps, report.achievedPps),
    report,
    receiverCpuSeconds,
  };
}
