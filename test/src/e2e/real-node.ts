// A real worker node inside the QEMU guest: containerd 2.x (Debian's runc) with the bridge,
// host-local and loopback CNI plugins, and the kubelet of the pinned Kubernetes build, joined to the
// test control plane with a client certificate for system:node:<name>. Everything it writes lives on
// guest tmpfs (the host's root is shared read-only): containerd's root under /tmp, its state under /run,
// pod logs on a tmpfs over /var/log. The guest mounts cgroup2 (the kubelet refuses cgroup v1).
import { dirname } from 'node:path';
import type { V1Node } from '@kubernetes/client-node';
import { CoreV1Api } from '@kubernetes/client-node';
import type { Cluster, NodeBinaries } from '@lastgasp/testbed/cluster';
import type { Guest, GuestProcess } from '@lastgasp/testbed/kernel';
import { waitFor } from '@lastgasp/testbed/testing';

/** Where the node keeps its state in the guest (tmpfs). */
const STATE = '/tmp/lastgasp-node';
const CONTAINERD_SOCKET = '/run/containerd/containerd.sock';
/** Pod addresses on the node's bridge. */
export const POD_SUBNET = '10.88.0.0/24';
/** Kernel modules the node needs beyond the bed's initramfs. */
const MODULES = ['overlay', 'bridge', 'veth'];

export interface RealNodeOptions {
  nodeName: string;
  /** The guest's address: the Node's InternalIP. */
  nodeIp: string;
  /** kubeconfig text for the kubelet (see Cluster.nodeKubeconfig), valid from inside the guest. */
  kubeconfig: string;
  binaries: NodeBinaries;
  /** The test registry as the guest reaches it (`host:port`, plain HTTP): every image comes from it. */
  registry: string;
  /** The pod sandbox image, a reference into that registry. */
  sandboxImage: string;
  labels?: Record<string, string>;
  log?: (line: string) => void;
}

export interface RealNode {
  containerd: GuestProcess;
  kubelet: GuestProcess;
  /** ms spent preparing the guest (modules, cgroup2, mounts, containerd up). */
  prepareMs: number;
  /** `ctr` in the CRI namespace, in the guest. */
  ctr(args: string): Promise<string>;
  logs(): string;
  stop(): Promise<void>;
}

export function containerdConfig(o: { cniBin: string; sandbox: string }): string {
  // registry.config_path: per-registry hosts.toml files (the test registry speaks plain HTTP).
  return `version = 3
root = "${STATE}/containerd"
state = "/run/containerd"
[grpc]
  address = "${CONTAINERD_SOCKET}"
[plugins."io.containerd.cri.v1.images"]
  snapshotter = "overlayfs"
  [plugins."io.containerd.cri.v1.images".pinned_images]
    sandbox = "${o.sandbox}"
  [plugins."io.containerd.cri.v1.images".registry]
    config_path = "${STATE}/certs.d"
[plugins."io.containerd.cri.v1.runtime"]
  [plugins."io.containerd.cri.v1.runtime".cni]
    bin_dirs = ["${o.cniBin}"]
    conf_dir = "${STATE}/cni"
  [plugins."io.containerd.cri.v1.runtime".containerd.runtimes.runc]
    runtime_type = "io.containerd.runc.v2"
    [plugins."io.containerd.cri.v1.runtime".containerd.runtimes.runc.options]
      SystemdCgroup = false
`;
}

export function registryHosts(registry: string): string {
  return `server = "http://${registry}"\n[host."http://${registry}"]\n  capabilities = ["pull", "resolve"]\n`;
}

export function cniConfig(): string {
  return JSON.stringify({
    cniVersion: '1.0.0',
    name: 'lastgasp-pods',
    plugins: [
      {
        type: 'bridge',
        bridge: 'cni0',
        isGateway: true,
        ipMasq: false,
        hairpinMode: true,
        ipam: { type: 'host-local', ranges: [[{ subnet: POD_SUBNET }]], dataDir: `/run/lastgasp-node/ipam` },
      },
    ],
  });
}

export function kubeletConfig(o: { nodeIp: string }): string {
  return JSON.stringify({
    apiVersion: 'kubelet.config.k8s.io/v1beta1',
    kind: 'KubeletConfiguration',
    authentication: { anonymous: { enabled: false }, webhook: { enabled: false }, x509: { clientCAFile: `${STATE}/ca.crt` } },
    authorization: { mode: 'AlwaysAllow' },
    cgroupDriver: 'cgroupfs',
    containerRuntimeEndpoint: `unix://${CONTAINERD_SOCKET}`,
    failSwapOn: false,
    readOnlyPort: 0,
    address: o.nodeIp,
    podCIDR: POD_SUBNET,
    serializeImagePulls: false,
    // The node's disk is guest memory: evict late, never garbage-collect the imported images.
    evictionHard: { 'memory.available': '50Mi', 'nodefs.available': '1%', 'imagefs.available': '1%' },
    imageGCHighThresholdPercent: 100,
    imageGCLowThresholdPercent: 99,
    nodeStatusUpdateFrequency: '10s',
    nodeStatusReportFrequency: '1m',
    syncFrequency: '10s',
    fileCheckFrequency: '1m',
    rotateCertificates: false,
    serverTLSBootstrap: false,
    logging: { format: 'text' },
  });
}

const quote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

async function mustRun(vm: Guest, what: string, cmd: string, timeoutMs = 120_000, env?: Record<string, string>): Promise<string> {
  const r = await vm.run(cmd, { timeoutMs, env });
  if (r.code !== 0) throw new Error(`real node: ${what} failed (${r.code ?? r.signal ?? 'guest gone'}): ${(r.stderr || r.stdout).trim().slice(-2000)}`);
  return r.stdout;
}

/** Prepares the guest and starts containerd and the kubelet; resolves once both run (not yet Ready). */
export async function startRealNode(vm: Guest, o: RealNodeOptions): Promise<RealNode> {
  const log = o.log ?? (() => undefined);
  const t0 = Date.now();
  const path = `${o.binaries.containerdDir}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`;
  const modules = MODULES.map((m) => vm.modprobeCommand(m)).join(' && ');
  await mustRun(
    vm,
    'preparing the guest',
    [
      modules,
      // cgroup v2, with the controllers the kubelet needs delegated to children.
      'mount -t cgroup2 none /sys/fs/cgroup',
      `for c in $(cat /sys/fs/cgroup/cgroup.controllers); do echo "+$c" > /sys/fs/cgroup/cgroup.subtree_control || true; done`,
      // Writable places the kubelet and containerd insist on, over the read-only host root.
      'mount -t tmpfs tmpfs /var/log',
      // /lib/modules (hostPath of the agent) holds the guest kernel's modules, as on any node: a
      // writable overlay on /usr/lib gives the mount point.
      `mkdir -p ${STATE}/usr-lib/upper ${STATE}/usr-lib/work`,
      `mount -t overlay overlay -o lowerdir=/usr/lib,upperdir=${STATE}/usr-lib/upper,workdir=${STATE}/usr-lib/work /usr/lib`,
      `mkdir -p /usr/lib/modules && mount --bind ${quote(dirname(vm.kernel.modulesDir))} /usr/lib/modules`,
      'mount -t tmpfs tmpfs /var/lib',
      `mkdir -p ${STATE}/cni ${STATE}/certs.d/${o.registry} /run/containerd /run/lastgasp-node`,
      `printf '%s' "$REGISTRY_HOSTS" > ${STATE}/certs.d/${o.registry}/hosts.toml`,
      'echo 1 > /proc/sys/net/ipv4/ip_forward',
      // Shared mount propagation, as systemd sets it up: HostToContainer volumes (the agent's configfs) need it.
      'mount --make-rshared /',
      `printf '%s' "$CONTAINERD_CONFIG" > ${STATE}/containerd.toml`,
      `printf '%s' "$CNI_CONFIG" > ${STATE}/cni/10-lastgasp.conflist`,
      `printf '%s' "$KUBELET_CONFIG" > ${STATE}/kubelet.json`,
      `printf '%s' "$KUBECONFIG_TEXT" > ${STATE}/kubelet.kubeconfig`,
      `printf '%s' "$CA_PEM" > ${STATE}/ca.crt`,
    ].join(' && '),
    120_000,
    {
      CONTAINERD_CONFIG: containerdConfig({ cniBin: o.binaries.cniDir, sandbox: o.sandboxImage }),
      REGISTRY_HOSTS: registryHosts(o.registry),
      CNI_CONFIG: cniConfig(),
      KUBELET_CONFIG: kubeletConfig({ nodeIp: o.nodeIp }),
      KUBECONFIG_TEXT: o.kubeconfig,
      CA_PEM: caFromKubeconfig(o.kubeconfig),
    },
  );
  const lines: string[] = [];
  const keep = (prefix: string) => (line: string) => {
    lines.push(`${prefix} ${line}`);
    if (lines.length > 4000) lines.splice(0, 1000);
  };
  const containerd = vm.spawn(`exec containerd --config ${STATE}/containerd.toml --log-level warn`, { env: { PATH: path }, onLine: keep('[containerd]') });
  const ctr = (args: string): Promise<string> => mustRun(vm, `ctr ${args}`, `ctr --address ${CONTAINERD_SOCKET} -n k8s.io ${args}`, 300_000, { PATH: path });
  await waitFor('containerd to answer', async () => (await vm.run(`ctr --address ${CONTAINERD_SOCKET} version`, { env: { PATH: path }, timeoutMs: 30_000 })).code === 0, {
    timeoutMs: 120_000,
    intervalMs: 500,
    describe: () => Promise.resolve(lines.slice(-20).join('\n')),
  });
  const prepareMs = Date.now() - t0;
  log(`real node: guest prepared and containerd answering after ${prepareMs} ms; starting the kubelet`);
  const labels = Object.entries(o.labels ?? {}).map(([k, v]) => `${k}=${v}`).join(',');
  const kubeletArgs = [
    `--config=${STATE}/kubelet.json`,
    `--kubeconfig=${STATE}/kubelet.kubeconfig`,
    `--root-dir=${STATE}/kubelet`,
    `--cert-dir=${STATE}/pki`,
    `--hostname-override=${o.nodeName}`,
    `--node-ip=${o.nodeIp}`,
    ...(labels === '' ? [] : [`--node-labels=${labels}`]),
    '--v=2',
  ];
  const kubelet = vm.spawn(`exec ${quote(o.binaries.kubelet)} ${kubeletArgs.map(quote).join(' ')}`, { env: { PATH: path }, onLine: keep('[kubelet]') });
  return {
    containerd,
    kubelet,
    prepareMs,
    ctr,
    logs: () => lines.slice(-200).join('\n'),
    stop: async () => {
      kubelet.kill('SIGKILL');
      containerd.kill('SIGTERM');
      await Promise.race([Promise.all([kubelet.exited, containerd.exited]), new Promise((r) => setTimeout(r, 10_000))]);
    },
  };
}

function caFromKubeconfig(kubeconfig: string): string {
  const match = /certificate-authority-data:\s*(\S+)/.exec(kubeconfig);
  if (match?.[1] === undefined) throw new Error('the node kubeconfig carries no certificate-authority-data');
  return Buffer.from(match[1], 'base64').toString('utf8');
}

/** Resolves with the Node once the kubelet reports it Ready (a real kubelet, not kwok). */
export async function waitNodeReady(cluster: Cluster, name: string, timeoutMs: number, describe: () => string): Promise<V1Node> {
  const core = cluster.kubeConfig.makeApiClient(CoreV1Api);
  return waitFor(
    `Node ${name} Ready`,
    async () => {
      const node = await core.readNode({ name }).catch(() => null);
      return node?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true ? node : false;
    },
    { timeoutMs, intervalMs: 500, describe: () => Promise.resolve(describe()) },
  );
}
