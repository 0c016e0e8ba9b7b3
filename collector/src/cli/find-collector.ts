// Finding a collector without --server: from the kubeconfig (its current context, or --context), the
// collector Pods in the namespace (-n, else the context's), the leader by its Lease (the chart's
// collectors take their Pod name as identity), and a port-forward through the API server to that Pod's
// gRPC port, served on a loopback port for this one command. chooseCollector is the pure part.
import { existsSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { KubeConfig, V1Lease, V1Pod } from '@kubernetes/client-node';

/** The labels the chart puts on collector Pods. */
export const COLLECTOR_SELECTOR = 'app.kubernetes.io/part-of=lastgasp,app.kubernetes.io/component=collector';
const DEFAULT_GRPC_PORT = 6667;

export interface KubeSettings {
  kubeconfig?: string | undefined;
  context?: string | undefined;
  namespace?: string | undefined;
}

export interface CollectorChoice {
  pod: string;
  port: number;
  leader: boolean;
}

function ready(pod: V1Pod): boolean {
  return (
    pod.metadata?.deletionTimestamp === undefined &&
    pod.status?.phase === 'Running' &&
    (pod.status.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True')
  );
}

function grpcPort(pod: V1Pod): number {
  for (const c of pod.spec?.containers ?? []) {
    const port = c.ports?.find((p) => p.name === 'grpc');
    if (port !== undefined) return port.containerPort;
  }
  return DEFAULT_GRPC_PORT;
}

/**
 * The Pod to ask: the leader (the holder of a Lease in the namespace) when it is ready, else the first
 * ready collector by name; an error message when none is ready.
 */
export function chooseCollector(namespace: string, pods: readonly V1Pod[], leases: readonly V1Lease[]): CollectorChoice | { error: string } {
  if (pods.length === 0) return { error: `no collector Pods (${COLLECTOR_SELECTOR}) in namespace ${namespace}; give -n NAMESPACE or --server` };
  const candidates = pods.filter(ready).sort((a, b) => (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''));
  if (candidates.length === 0) return { error: `none of the ${pods.length} collector Pods in namespace ${namespace} is ready` };
  const holders = new Set(leases.map((l) => l.spec?.holderIdentity).filter((h): h is string => h !== undefined && h !== ''));
  const leader = candidates.find((p) => holders.has(p.metadata?.name ?? ''));
  const pod = leader ?? candidates[0];
  if (pod === undefined) return { error: `no ready collector Pod in namespace ${namespace}` };
  return { pod: pod.metadata?.name ?? '', port: grpcPort(pod), leader: leader !== undefined };
}

/**
 * Whether to look for the collector through Kubernetes: a kubeconfig is named (--kubeconfig, KUBECONFIG)
 * or exists (~/.kube/config), the command runs in a Pod, or -n/--context ask for it.
 */
export function wantsDiscovery(settings: KubeSettings, env: Record<string, string | undefined>): boolean {
  if (settings.kubeconfig !== undefined || settings.context !== undefined || settings.namespace !== undefined) return true;
  if ((env['KUBECONFIG'] ?? '') !== '' || (env['KUBERNETES_SERVICE_HOST'] ?? '') !== '') return true;
  const home = env['HOME'];
  return home !== undefined && home !== '' && existsSync(join(home, '.kube', 'config'));
}

export interface Forwarded {
  /** `127.0.0.1:<port>`: connect here to reach the Pod. */
  address: string;
  /** Which Pod, for messages. */
  describe: string;
  /** Why the last forwarded connection failed (the API server's or the kubelet's words); null: none did. */
  failure(): string | null;
  close(): Promise<void>;
}

async function loadKubeConfig(settings: KubeSettings): Promise<KubeConfig> {
  // Loaded only here: the package is large, and every other command path does without it.
  const { KubeConfig } = await import('@kubernetes/client-node');
  const kc = new KubeConfig();
  if (settings.kubeconfig !== undefined) kc.loadFromFile(settings.kubeconfig);
  else kc.loadFromDefault();
  if (settings.context !== undefined) kc.setCurrentContext(settings.context);
  return kc;
}

/** The namespace to look in: -n, else the current context's, else "default". */
export function namespaceOf(kc: Pick<KubeConfig, 'getContextObject' | 'getCurrentContext'>, settings: KubeSettings): string {
  return settings.namespace ?? kc.getContextObject(kc.getCurrentContext())?.namespace ?? 'default';
}

/** The forward's WebSocket, as far as this module uses it. */
interface Closable {
  close(): void;
}

/** The words of a failed forward: an Error's message, or a WebSocket error event's (its message or its error's). */
function reasonOf(err: unknown): string {
  if (err instanceof Error) return err.message;
  if (typeof err === 'object' && err !== null) {
    const e = err as { message?: unknown; error?: unknown; reason?: unknown; code?: unknown };
    if (e.error instanceof Error) return e.error.message;
    if (typeof e.message === 'string' && e.message !== '') return e.message;
    if (typeof e.reason === 'string' && e.reason !== '') return typeof e.code === 'number' ? `${e.code} ${e.reason}` : e.reason;
    try {
      return JSON.stringify(err);
    } catch {
      return 'unknown error';
    }
  }
  return String(err);
}

/** Finds the collector and forwards a loopback port to it; errors name what was looked for. */
export async function forwardToCollector(settings: KubeSettings): Promise<Forwarded> {
  const kc = await loadKubeConfig(settings);
  const { CoordinationV1Api, CoreV1Api, PortForward } = await import('@kubernetes/client-node');
  const namespace = namespaceOf(kc, settings);
  const [pods, leases] = await Promise.all([
    kc.makeApiClient(CoreV1Api).listNamespacedPod({ namespace, labelSelector: COLLECTOR_SELECTOR }),
    kc
      .makeApiClient(CoordinationV1Api)
      .listNamespacedLease({ namespace })
      .then((l) => l.items)
      .catch(() => [] as V1Lease[]), // without the right to read Leases: any ready replica answers as well
  ]);
  const choice = chooseCollector(namespace, pods.items, leases);
  if ('error' in choice) throw new Error(choice.error);
  const describe = `pod ${namespace}/${choice.pod}${choice.leader ? ' (leader)' : ''} port ${choice.port}, through a port-forward`;
  const forward = new PortForward(kc);
  const sockets = new Set<Socket>();
  let failure: string | null = null;
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    // The forward's error channel: what the kubelet says when it cannot reach the port.
    const errors = new Writable({
      write(chunk: Buffer, _encoding, done) {
        failure = chunk.toString().trim() || failure;
        done();
      },
    });
    forward.portForward(namespace, choice.pod, [choice.port], socket, errors, socket).then(
      (opened: unknown) => {
        const ws = opened as Closable | (() => Closable | null);
        socket.once('close', () => {
          if (typeof ws === 'function') ws()?.close();
          else ws.close();
        });
      },
      (err: unknown) => {
        failure = reasonOf(err);
        socket.destroy();
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const bound = server.address();
  const port = typeof bound === 'object' && bound !== null ? bound.port : 0;
  return {
    address: `127.0.0.1:${port}`,
    describe,
    failure: () => failure,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
