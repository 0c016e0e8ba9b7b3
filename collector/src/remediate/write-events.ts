// Writing the Warning Events that explain a remediation (their text and names: incident-events.ts).
// They come after the destructive steps: every write before those delays the cleanup, and the API
// server is the bottleneck (on a 2-core control plane 110 more writes took about a second).
import pLimit from 'p-limit';
import type { NodeAction } from '../config/config.js';
import type { PodRef } from './cluster-api.js';
import { nodeEvent, podEvent } from './incident-events.js';
import { stepError, type IncidentRun } from './incident-run.js';
import { nodeActionSentence } from './node-action.js';
import { PodStepGroup } from './remediation-progress.js';

/** Events created at once; they come after the destructive steps and only need to keep up. */
const EVENT_CONCURRENCY = 16;

/** The Warning Events on the pods this run explained and on the Node, created together. */
export async function writeRemediationEvents(run: IncidentRun, pods: readonly PodRef[], action: NodeAction): Promise<void> {
  const { req, name } = run;
  const podEvents = new PodStepGroup('pod-events', pods.length, (c) => `${c.done} Warning Event(s), reason ${req.kind}`, (step) => run.report(step), run.ctx.now);
  const nodeEventStep = run.step(
    'node-event',
    () => run.createEvent(nodeEvent(req, name, 'Remediate', nodeActionSentence(action))),
    () => `Warning Event on Node ${req.node}, reason ${req.kind}`,
  );
  try {
    await pLimit(EVENT_CONCURRENCY).map(pods, async (pod) => {
      podEvents.begin();
      await run.createEvent(podEvent(req, name, pod, false));
      podEvents.end('done');
    });
  } catch (err) {
    podEvents.finish(stepError(err, run.ctx.signal));
    await nodeEventStep.catch(() => undefined);
    throw err;
  }
  podEvents.finish(null);
  await nodeEventStep;
}

/** Dry run: the `pod-events` step, an Event on each pod saying what would be done to it. */
export async function writeDryRunPodEvents(run: IncidentRun, pods: readonly PodRef[]): Promise<void> {
  await run.step(
    'pod-events',
    () => pLimit(EVENT_CONCURRENCY).map(pods, (pod) => run.createEvent(podEvent(run.req, run.name, pod, true))),
    () => `${pods.length} Warning Event(s) saying what would be done`,
  );
}
