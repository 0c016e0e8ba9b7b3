// The test cluster's public shape. Other workspaces code against these types.
import type { KubeConfig } from '@kubernetes/client-node';
import type { Binaries } from './binaries.js';

export interface ClusterOptions {
  /** Run kube-controller-manager. Default true. */
  controllerManager?: boolean;
  /** Run kube-scheduler. Default true. */
  scheduler?: boolean;
  /** Run kwok (fake kubelets for Nodes annotated `kwok.x-k8s.io/node: fake`). Default true. */
  kwok?: boolean;
  /** Extra kube-controller-manager flags, e.g. node-monitor timings. */
  controllerManagerArgs?: string[];
  /** Receives progress lines. Default: nothing. */
  log?: (line: string) => void;
  /**
   * More IP addresses for the apiserver's serving certificate, beside 127.0.0.1 and ::1: addresses at
   * which a test forwards clients to it (e.g. from a network namespace or a guest VM).
   */
  servingIps?: string[];
  /** kwok Stage documents (YAML); each replaces kwok's upstream Stage of the same name. */
  kwokStages?: string;
  /**
   * A Unix socket where an HTTP CONNECT proxy will listen: the apiserver sends its traffic to nodes and
   * pods (port-forward, logs, exec) through it, so it reaches a kubelet inside a network namespace.
   */
  nodeEgressSocket?: string;
}

export interface Cluster {
  /** `https://127.0.0.1:<port>` */
  server: string;
  /** Admin kubeconfig: client certificate, user `admin`, group `system:masters`. */
  kubeconfigPath: string;
  /** Loaded from kubeconfigPath. */
  kubeConfig: KubeConfig;
  /** Temp dir holding certificates, kubeconfigs, logs (`logs/<component>.log`) and etcd data. */
  dir: string;
  binaries: Binaries;
  /** Stops kube-apiserver only (for outage tests); etcd and the other components keep running. */
  stopApiServer(): Promise<void>;
  /** Starts kube-apiserver again on the same port with the same flags; resolves once /readyz is ok. */
  startApiServer(): Promise<void>;
  /** Creates or updates the CRDs in these YAML files and waits until each is Established. */
  installCrds(paths: string[]): Promise<void>;
  /**
   * Path to a kubeconfig that authenticates as the ServiceAccount with a bound token (TokenRequest,
   * valid 24 h). Creates the ServiceAccount (and namespace) if missing; grants nothing. With
   * `boundPod` the token is bound to that Pod of `namespace`, which must run as this ServiceAccount:
   * the apiserver then names the Pod and its Node in the user's extra
   * (`authentication.kubernetes.io/pod-name`, `.../node-name`), as it does for a kubelet-mounted
   * token, and stops accepting the token once the Pod is gone.
   */
  serviceAccountKubeconfig(namespace: string, name: string, opts?: { boundPod?: string }): Promise<string>;
  /**
   * Kubeconfig text for a real kubelet joining as Node `nodeName`: a client certificate for
   * `system:node:<nodeName>` in `system:nodes` (the Node authorizer and NodeRestriction apply), the CA
   * and key inlined, the apiserver reached at `server` (default: the loopback address).
   */
  nodeKubeconfig(nodeName: string, server?: string): Promise<string>;
  /** PEM of the cluster CA (for a kubelet's client-CA file). */
  caPem(): Promise<string>;
  /** Stops every component and removes `dir`. Idempotent. */
  stop(): Promise<void>;
}
