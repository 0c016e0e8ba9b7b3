// `npm run demo`: a real kernel panics and lastgasp explains and cleans up after it, narrated.
// A local control plane and a collector start, a guest kernel under QEMU joins as a Node running the
// agent from this checkout, a Deployment and a Job run on it, the guest's kernel panics, and the demo
// shows what happened, when (ms), and why. Everything started is removed at the end.
import { AppsV1Api, BatchV1Api, CoreV1Api, type V1Pod } from '@kubernetes/client-node';
import { createNode, ensureNamespace } from '@lastgasp/testbed/cluster';
import { waitFor } from '@lastgasp/testbed/testing';
import {
  ANNOTATION_PREFIX,
  bringUpWorld,
  checkRoot,
  HOST_ADDRESSES,
  incidentsOf,
  cliJson,
  isDisrupted,
  keepRunningStages,
  KEEP_RUNNING_ANNOTATION,
  listNodeIncidents,
  startClusterTimeline,
  type ClusterTimeline,
  type NodeIncidentObject,
  type TimelineEvent,
  type CollectorProcess,
  type World,
} from '@lastgasp/testbed/e2e';
import { fields, heading, table, timeline } from './render.js';

const GUEST_NODE = 'guest-1';
const SPARE_NODE = 'worker-2';
const APP_NS = 'demo';
const JOB = 'nightly-report';
const DEPLOYMENT = 'web';

const say = (text: string): void => void process.stdout.write(`${text}\n`);
const note = (text: string): void => say(`  ${text}`);

async function showCluster(world: World): Promise<void> {
  const core = world.cluster.kubeConfig.makeApiClient(CoreV1Api);
  const nodes = (await core.listNode()).items;
  say(
    table(
      ['NODE', 'READY', 'INTERNAL-IP', 'LASTGASP'],
      nodes.map((n) => {
        const cond = (type: string): string => n.status?.conditions?.find((c) => c.type === type)?.status ?? '-';
        const ip = n.status?.addresses?.find((a) => a.type === 'InternalIP')?.address ?? '-';
        return [n.metadata?.name ?? '', cond('Ready'), ip, cond('LastGaspReady')];
      }),
    ),
  );
  const pods = (await core.listNamespacedPod({ namespace: APP_NS })).items;
  say('');
  say(table(['POD', 'NODE', 'PHASE'], pods.map((p) => [p.metadata?.name ?? '', p.spec?.nodeName ?? '-', p.status?.phase ?? '-'])));
}

async function deployWorkloads(world: World): Promise<void> {
  await ensureNamespace(world.cluster, APP_NS);
  const labels = { app: DEPLOYMENT };
  const container = { name: 'main', image: 'registry.invalid/demo/app:1' };
  await world.cluster.kubeConfig.makeApiClient(AppsV1Api).createNamespacedDeployment({
    namespace: APP_NS,
    body: {
      metadata: { name: DEPLOYMENT },
      spec: { replicas: 2, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [container] } } },
    },
  });
  await world.cluster.kubeConfig.makeApiClient(BatchV1Api).createNamespacedJob({
    namespace: APP_NS,
    body: {
      metadata: { name: JOB },
      spec: {
        backoffLimit: 0,
        // A pod lost to a disruption (DisruptionTarget) is retried without counting as a failure.
        podFailurePolicy: { rules: [{ action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] }] },
        template: { metadata: { annotations: { [KEEP_RUNNING_ANNOTATION]: 'true' } }, spec: { restartPolicy: 'Never', containers: [container] } },
      },
    },
  });
  const core = world.cluster.kubeConfig.makeApiClient(CoreV1Api);
  await waitFor('3 pods Running on the guest Node', async () => {
    const pods = (await core.listNamespacedPod({ namespace: APP_NS })).items;
    return pods.length === 3 && pods.every((p) => p.status?.phase === 'Running' && p.spec?.nodeName === GUEST_NODE) ? pods : false;
  }, {
    timeoutMs: 120_000,
    describe: async () =>
      (await core.listNamespacedPod({ namespace: APP_NS })).items.map((p) => `${p.metadata?.name ?? ''} ${p.spec?.nodeName ?? '-'} ${p.status?.phase ?? '-'}`).join(', '),
  });
}

function showPod(p: V1Pod | undefined, key: string): void {
  const annotations = Object.entries(p?.metadata?.annotations ?? {}).filter(([k]) => k.startsWith(`${ANNOTATION_PREFIX}/`));
  const disruption = p?.status?.conditions?.find((c) => c.type === 'DisruptionTarget');
  say(`  pod ${key}: phase ${p?.status?.phase ?? '?'}${isDisrupted(p) ? '' : ' (not disrupted!)'}`);
  say(fields(annotations.map(([k, v]) => [`annotation ${k}`, v] as const), 400));
  if (disruption !== undefined) {
    say(fields([[`condition DisruptionTarget=${disruption.status}`, `reason ${disruption.reason ?? ''}: ${disruption.message ?? ''}`]], 400));
  }
}

async function panicAndNarrate(world: World, collector: CollectorProcess, tl: ClusterTimeline): Promise<void> {
  const core = world.cluster.kubeConfig.makeApiClient(CoreV1Api);
  const guestPods = (await core.listNamespacedPod({ namespace: APP_NS })).items.map((p) => `${APP_NS}/${p.metadata?.name ?? ''}`);
  const triggeredAt = Date.now();
  note('echo c > /proc/sysrq-trigger   (inside the guest)');
  const panic = await world.vm.panic({ timeoutMs: 180_000 });
  note(`the guest kernel panicked; QEMU was gone ${panic.elapsedMs} ms later`);
  const opened = await collector.waitForLog('incident opened', 60_000, (e) => e.kind === 'KernelPanic');
  note(`the collector classified: ${String(opened.summary)}`);
  await waitFor('the guest Node to be deleted', () => Promise.resolve(tl.first('node-deleted', 0, GUEST_NODE) ?? false), { timeoutMs: 60_000 });
  const replacement = await waitFor<TimelineEvent>('the Job to create a replacement pod', () => {
    const added = tl.events().find((e) => e.kind === 'pod-added' && e.at >= triggeredAt && tl.pod(e.name)?.metadata?.labels?.['job-name'] === JOB);
    return Promise.resolve(added ?? false);
  }, { timeoutMs: 60_000 }).catch(() => null);
  const last = (kind: 'pod-annotated' | 'pod-failed' | 'pod-deleted'): number | null => {
    const times = guestPods.map((k) => tl.first(kind, triggeredAt, k)?.at);
    return times.every((t): t is number => t !== undefined) ? Math.max(...times) : null;
  };
  const lineAt = opened.time;
  say(heading(6, 'What happened, in milliseconds after the panic line reached the collector'));
  say(
    timeline(lineAt, [
      { label: 'sysrq-c written in the guest', at: triggeredAt, detail: 'the trigger; the kernel needs a moment under emulation' },
      { label: 'panic line received and classified', at: lineAt, detail: `from ${String(opened.source)}, Node ${String(opened.node)}` },
      { label: 'pods explained (annotations on every pod)', at: last('pod-annotated') },
      { label: 'pods marked Failed with DisruptionTarget', at: last('pod-failed') },
      { label: 'all pods deleted', at: last('pod-deleted'), detail: "the Job's pod waits for the Job controller's finalizer" },
      { label: `Node ${GUEST_NODE} deleted`, at: tl.first('node-deleted', 0, GUEST_NODE)?.at ?? null },
      { label: 'Job replacement pod created', at: replacement?.at ?? null, detail: `${replacement?.name ?? ''}, at the Job controller's pace` },
    ]),
  );
  const nodeGone = tl.first('node-deleted', 0, GUEST_NODE)?.at;
  say('');
  note(
    `In short: ${nodeGone === undefined ? 'the Node was not deleted' : `${nodeGone - lineAt} ms after the kernel's last words arrived, the Node was gone`} and every ` +
      'pod on it carried the reason. Without lastgasp, Kubernetes would notice the silent node after ~40 s, evict its ' +
      'pods ~5 min later, and they would hang in Terminating with no reason until someone deleted the Node.',
  );
  say(heading(7, 'The pods, as they were just before deletion'));
  for (const key of guestPods) showPod(tl.pod(key), key);
  const job = await world.cluster.kubeConfig.makeApiClient(BatchV1Api).readNamespacedJob({ name: JOB, namespace: APP_NS });
  note(`Job ${JOB}: failed ${job.status?.failed ?? 0}, active ${job.status?.active ?? 0} — the podFailurePolicy ignored the disruption, so backoffLimit 0 was not used up`);
}

function incidentFields(incident: NodeIncidentObject | undefined): string {
  const spec = incident?.spec ?? {};
  const status = incident?.status ?? {};
  return fields([
    ['name', incident?.metadata?.name],
    ['node', spec.node],
    ['kind', spec.kind],
    ['summary', spec.summary],
    ['detectedAt', spec.detectedAt],
    ['phase', status.phase],
    ['podsDeleted', status.podsDeleted],
    ['nodeAction', status.nodeAction],
    ['remediatedBy', status.remediatedBy],
  ]);
}

async function showRecords(world: World, collector: CollectorProcess): Promise<void> {
  say(heading(8, 'The NodeIncident record'));
  const incident = (await listNodeIncidents(world)).find((i) => i.spec?.node === GUEST_NODE);
  say(incidentFields(incident));
  for (const line of (incident?.spec?.contextLines ?? []).slice(0, 8)) say(`      | ${line}`);
  const listed = incidentsOf(await cliJson(world, collector, ['incidents']));
  const id = listed.find((i) => i.node === GUEST_NODE)?.id;
  if (id === undefined) return;
  say(heading(9, `lastgasp incident ${id}`));
  const out = await world.cli(collector, ['incident', id]);
  say(out.stdout.trimEnd() || out.stderr.trimEnd());
}

async function main(): Promise<number> {
  const root = checkRoot({ uid: process.getuid?.(), command: 'npm run demo', cwd: process.cwd() });
  if (!root.ok) {
    process.stderr.write(root.message);
    return root.exitCode;
  }
  const started = Date.now();
  say(heading(1, 'Start a local control plane and boot a guest kernel under QEMU'));
  let world: World | null = null;
  let tl: ClusterTimeline | null = null;
  try {
    world = await bringUpWorld({ nodeName: GUEST_NODE, scheduler: true, kwokStages: await keepRunningStages(), log: note });
    say(heading(2, 'Start the collector and let the agent in the guest arm netconsole'));
    const collector = await world.startCollector(HOST_ADDRESSES[0], 'collector-0');
    await world.setSliceAddresses([HOST_ADDRESSES[0]]);
    const agentStart = Date.now();
    world.startAgent();
    const condition = await world.waitArmed([HOST_ADDRESSES[0]], 300_000);
    note(`agent in the guest: LastGaspReady=True (${condition.message ?? ''}) after ${((Date.now() - agentStart) / 1000).toFixed(1)} s`);
    say(heading(3, 'Deploy a Deployment (2 pods) and a Job with a podFailurePolicy on the guest Node'));
    await deployWorkloads(world);
    // A second (fake) Node, added after the pods landed on the guest, gives replacements somewhere to go.
    await createNode(world.cluster, SPARE_NODE);
    say(heading(4, 'The cluster'));
    await showCluster(world);
    tl = await startClusterTimeline(world.cluster.kubeConfig, ANNOTATION_PREFIX);
    say(heading(5, 'Panic the guest kernel'));
    await panicAndNarrate(world, collector, tl);
    await showRecords(world, collector);
    say(heading(10, 'The cluster afterwards'));
    await showCluster(world);
    say(`\nDone in ${((Date.now() - started) / 1000).toFixed(0)} s. Cleaning up.`);
    return 0;
  } catch (err) {
    process.stderr.write(`\ndemo failed: ${err instanceof Error ? err.message : String(err)}\n`);
    if (world !== null) process.stderr.write(`${world.diagnostics()}\n--- guest console (tail) ---\n${world.vm.console().split('\n').slice(-30).join('\n')}\n`);
    return 1;
  } finally {
    tl?.stop();
    await world?.stop();
  }
}

process.exitCode = await main();
