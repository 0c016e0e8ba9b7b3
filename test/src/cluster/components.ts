// Command lines of the control-plane components. Pure: paths and ports in, argument lists out.
import { parseAllDocuments } from 'yaml';
import type { ClusterPki } from './pki.js';

export interface EtcdLayout {
  dataDir: string;
  clientPort: number;
  peerPort: number;
}

export function etcdArgs(l: EtcdLayout): string[] {
  const client = `http://127.0.0.1:${l.clientPort}`;
  const peer = `http://127.0.0.1:${l.peerPort}`;
  return [
    'etcd',
    '--name=default',
    `--data-dir=${l.dataDir}`,
    `--listen-client-urls=${client}`,
    `--advertise-client-urls=${client}`,
    `--listen-peer-urls=${peer}`,
    `--initial-advertise-peer-urls=${peer}`,
    `--initial-cluster=default=${peer}`,
    // Test data need not survive a power cut; fsync dominates etcd latency on a busy disk.
    '--unsafe-no-fsync',
    '--log-level=warn',
  ];
}

export interface ApiServerLayout {
  etcdClientPort: number;
  securePort: number;
  certDir: string;
  pki: ClusterPki;
  /** An EgressSelectorConfiguration file: how the apiserver reaches nodes (kubelets) and pods. */
  egressSelectorConfigPath?: string;
}

/** The client certificate the apiserver shows kubelets (logs, exec, port-forward). */
export const KUBELET_CLIENT = 'apiserver-kubelet-client';

/**
 * The apiserver's "cluster" traffic (to kubelets, pods and Services) through an HTTP CONNECT proxy
 * listening on a Unix socket: how a test lets it reach a kubelet inside a network namespace.
 */
export function egressSelectorConfig(socketPath: string): string {
  return [
    'apiVersion: apiserver.k8s.io/v1beta1',
    'kind: EgressSelectorConfiguration',
    'egressSelections:',
    '- name: cluster',
    '  connection:',
    '    proxyProtocol: HTTPConnect',
    '    transport:',
    '      uds:',
    `        udsName: ${JSON.stringify(socketPath)}`,
    '',
  ].join('\n');
}

/** The range Services draw ClusterIPs from; nothing ever routes to it. */
export const SERVICE_CLUSTER_IP_RANGE = '10.96.0.0/16';

export function apiServerArgs(l: ApiServerLayout): string[] {
  const kubeletClient = l.pki.clients[KUBELET_CLIENT];
  return [
    'kube-apiserver',
    `--etcd-servers=http://127.0.0.1:${l.etcdClientPort}`,
    '--bind-address=127.0.0.1',
    '--advertise-address=127.0.0.1',
    `--secure-port=${l.securePort}`,
    `--cert-dir=${l.certDir}`,
    `--tls-cert-file=${l.pki.serving.certPath}`,
    `--tls-private-key-file=${l.pki.serving.keyPath}`,
    `--client-ca-file=${l.pki.ca.certPath}`,
    '--authorization-mode=Node,RBAC',
    '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
    `--service-account-key-file=${l.pki.serviceAccount.publicKeyPath}`,
    `--service-account-signing-key-file=${l.pki.serviceAccount.privateKeyPath}`,
    `--service-cluster-ip-range=${SERVICE_CLUSTER_IP_RANGE}`,
    '--allow-privileged=true',
    // Fewer moving parts and a faster start; fairness between clients is not under test.
    '--enable-priority-and-fairness=false',
    // 127.0.0.1 is no valid endpoint address for the `kubernetes` Service; in-cluster clients do not exist here.
    '--endpoint-reconciler-type=none',
    '--profiling=false',
    // Kubelets by their InternalIP, as kubeadm sets it: a Node's hostname resolves nowhere here.
    '--kubelet-preferred-address-types=InternalIP,ExternalIP,Hostname',
    ...(kubeletClient === undefined ? [] : [`--kubelet-client-certificate=${kubeletClient.certPath}`, `--kubelet-client-key=${kubeletClient.keyPath}`]),
    ...(l.egressSelectorConfigPath === undefined ? [] : [`--egress-selector-config-file=${l.egressSelectorConfigPath}`]),
  ];
}

export interface ControllerManagerLayout {
  kubeconfigPath: string;
  pki: ClusterPki;
  extraArgs: string[];
}

export function controllerManagerArgs(l: ControllerManagerLayout): string[] {
  return [
    'kube-controller-manager',
    `--kubeconfig=${l.kubeconfigPath}`,
    '--use-service-account-credentials=true',
    `--service-account-private-key-file=${l.pki.serviceAccount.privateKeyPath}`,
    `--root-ca-file=${l.pki.ca.certPath}`,
    '--controllers=*',
    '--leader-elect=false',
    // No serving endpoint: nothing probes it, and it would need a free port.
    '--secure-port=0',
    ...l.extraArgs,
  ];
}

export function schedulerArgs(kubeconfigPath: string): string[] {
  return ['kube-scheduler', `--kubeconfig=${kubeconfigPath}`, '--leader-elect=false', '--secure-port=0'];
}

/** Annotation that puts a Node under kwok's management. */
export const KWOK_NODE_ANNOTATION = 'kwok.x-k8s.io/node';
export const KWOK_NODE_ANNOTATION_VALUE = 'fake';
/**
 * Reported as InternalIP of kwok nodes created without addresses: loopback, so the collector's probes of
 * Node addresses (proof of death, its self-check) never leave the machine.
 */
export const KWOK_DEFAULT_NODE_IP = '127.0.0.1';
/** Pod IPs kwok hands out. */
export const KWOK_POD_CIDR = '10.64.0.1/16';

export interface KwokLayout {
  kubeconfigPath: string;
  configPath: string;
}

export function kwokArgs(l: KwokLayout): string[] {
  return [
    `--kubeconfig=${l.kubeconfigPath}`,
    `--config=${l.configPath}`,
    '--manage-all-nodes=false',
    `--manage-nodes-with-annotation-selector=${KWOK_NODE_ANNOTATION}=${KWOK_NODE_ANNOTATION_VALUE}`,
    '--manage-nodes-with-label-selector=',
    `--node-ip=${KWOK_DEFAULT_NODE_IP}`,
    `--cidr=${KWOK_POD_CIDR}`,
    // Managed Nodes heartbeat through Leases in kube-node-lease like kubelets (40 s, renewed at a
    // quarter of that); without them the node lifecycle controller marks them Unknown after its grace
    // period and kwok makes them Ready again (flapping).
    '--node-lease-duration-seconds=40',
  ];
}

/** The upstream Stage our own replaces (see test/cluster/kwok-node-initialize.yaml). */
const REPLACED_KWOK_STAGE = 'node-initialize';

function stageName(value: unknown): unknown {
  return (value as { metadata?: { name?: unknown } } | null)?.metadata?.name;
}

/**
 * kwok's config file: only Stages, which make Nodes Ready and pods Running. Options come from flags;
 * with no KwokConfiguration document kwok applies its defaults (a document of our own would skip some).
 * `extraStages` (YAML documents, from ClusterOptions.kwokStages) replace upstream Stages of the same name.
 */
export function kwokConfig(upstreamStages: string, ownNodeInitialize: string, extraStages = ''): string {
  const extra = parseAllDocuments(extraStages).filter((doc) => doc.toJS() !== null);
  const replaced = new Set<unknown>([REPLACED_KWOK_STAGE, ...extra.map((doc) => stageName(doc.toJS()))]);
  const kept = parseAllDocuments(upstreamStages).filter((doc) => {
    const value: unknown = doc.toJS();
    return value !== null && !replaced.has(stageName(value));
  });
  return [...kept.map((doc) => doc.toString()), ownNodeInitialize, ...extra.map((doc) => doc.toString())].join('---\n');
}
