#!/usr/bin/env bash
# Builds the test control plane's binaries from Go modules, once per machine, into a cache
# outside the checkout keyed by version:
#   $LASTGASP_CACHE/k8s-<version>/k8s        etcd + kube-apiserver + controller-manager + scheduler
#   $LASTGASP_CACHE/kwok-<version>/kwok, stages.yaml
#   $LASTGASP_CACHE/helm-<version>/helm
#   $LASTGASP_CACHE/grpcurl-<version>/grpcurl
#   $LASTGASP_CACHE/k8s-<version>/kubelet                         the real worker node of the QEMU bed
#   $LASTGASP_CACHE/containerd-<version>/{containerd,containerd-shim-runc-v2,ctr}
#   $LASTGASP_CACHE/cni-plugins-<version>/{bridge,host-local,loopback}
#   $LASTGASP_CACHE/registry-<version>/registry   the CNCF distribution OCI registry (images and charts)
#   $LASTGASP_CACHE/promtool-<version>/promtool
#   $LASTGASP_CACHE/prometheus-operator-<version>/*.yaml  (ServiceMonitor, PodMonitor, PrometheusRule CRDs)
# Later runs find the binaries and return at once. Prints which component it builds and how long it took.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=versions.env
source "$here/versions.env"
cache="${LASTGASP_CACHE:-$HOME/.cache/lastgasp}"
mkdir -p "$cache"

log() { printf '[build-binaries] %s\n' "$*" >&2; }

# Runs "$@" and prints a heartbeat every 30 s, so a long first build is visibly alive.
with_progress() {
  local label="$1"; shift
  local start=$SECONDS
  "$@" &
  local pid=$!
  while kill -0 "$pid" 2>/dev/null; do
    for _ in $(seq 1 30); do sleep 1; kill -0 "$pid" 2>/dev/null || break; done
    kill -0 "$pid" 2>/dev/null && log "$label: still building ($((SECONDS - start)) s)"
  done
  wait "$pid"
  log "$label: done in $((SECONDS - start)) s"
}

build_k8s() {
  local out="$cache/k8s-$K8S_VERSION"
  [[ -x "$out/k8s" ]] && return 0
  log "kubernetes $K8S_VERSION (etcd, kube-apiserver, kube-controller-manager, kube-scheduler): first build, takes several minutes"
  local src="$out/src"
  rm -rf "$src" && mkdir -p "$src"
  cp "$here/go/main.go" "$src/main.go"
  local upstream
  upstream="$(go mod download -json "k8s.io/kubernetes@$K8S_VERSION" | sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",*$/\1/p')"
  local staging="v0.${K8S_VERSION#v1.}"
  {
    echo "module lastgasp.dev/testcluster"
    echo
    echo "go 1.26"
    echo
    echo "require k8s.io/kubernetes $K8S_VERSION"
    echo
    echo "replace ("
    # Every staging module kubernetes points at a local path, pointed at its published version instead.
    grep -E '^[[:space:]]+k8s\.io/[a-z0-9-]+ => \./staging/' "$upstream" | awk -v v="$staging" '{print "\t" $1 " => " $1 " " v}' | grep -v sample-cli-plugin
    echo ")"
  } > "$src/go.mod"
  (cd "$src" && with_progress "resolve modules" go mod tidy)
  local major="${K8S_VERSION#v}"; major="${major%%.*}"
  local minor="${K8S_VERSION#v*.}"; minor="${minor%%.*}"
  local ldflags="-s -w -X k8s.io/component-base/version.gitVersion=$K8S_VERSION -X k8s.io/component-base/version.gitMajor=$major -X k8s.io/component-base/version.gitMinor=$minor -X k8s.io/component-base/version.gitTreeState=clean"
  (cd "$src" && with_progress "kubernetes $K8S_VERSION" go build -trimpath -ldflags "$ldflags" -o "$out/k8s.tmp" .)
  mv "$out/k8s.tmp" "$out/k8s"
}

# The kubelet, from the same module as the control plane (same staging replaces); its own binary,
# because it runs inside the guest. -mod=mod adds what the kubelet needs beyond the control plane.
build_kubelet() {
  local out="$cache/k8s-$K8S_VERSION"
  [[ -x "$out/kubelet" ]] && return 0
  build_k8s
  log "kubelet $K8S_VERSION: first build"
  local src="$out/kubelet-src"
  rm -rf "$src" && mkdir -p "$src"
  sed 's|^module .*|module lastgasp.dev/testnode|' "$out/src/go.mod" > "$src/go.mod"
  cp "$out/src/go.sum" "$src/go.sum"
  local major="${K8S_VERSION#v}"; major="${major%%.*}"
  local minor="${K8S_VERSION#v*.}"; minor="${minor%%.*}"
  local ldflags="-s -w -X k8s.io/component-base/version.gitVersion=$K8S_VERSION -X k8s.io/component-base/version.gitMajor=$major -X k8s.io/component-base/version.gitMinor=$minor -X k8s.io/component-base/version.gitTreeState=clean"
  (cd "$src" && CGO_ENABLED=0 with_progress "kubelet $K8S_VERSION" go build -mod=mod -trimpath -ldflags "$ldflags" -o "$out/kubelet.tmp" k8s.io/kubernetes/cmd/kubelet)
  mv "$out/kubelet.tmp" "$out/kubelet"
}

# containerd 2.x (Kubernetes 1.36 needs it; Debian ships 1.6): daemon, runc shim and ctr, static, without
# the btrfs/devmapper/zfs snapshotters (cgo, and the guest uses overlayfs on tmpfs). runc is Debian's.
build_containerd() {
  local out="$cache/containerd-$CONTAINERD_VERSION"
  [[ -x "$out/containerd" ]] && return 0
  log "containerd $CONTAINERD_VERSION: first build"
  mkdir -p "$out/tmp"
  GOBIN="$out/tmp" CGO_ENABLED=0 with_progress "containerd $CONTAINERD_VERSION" go install -trimpath \
    -tags "no_btrfs no_devmapper no_zfs" \
    -ldflags "-s -w -X github.com/containerd/containerd/v2/version.Version=$CONTAINERD_VERSION" \
    "github.com/containerd/containerd/v2/cmd/containerd@$CONTAINERD_VERSION" \
    "github.com/containerd/containerd/v2/cmd/containerd-shim-runc-v2@$CONTAINERD_VERSION" \
    "github.com/containerd/containerd/v2/cmd/ctr@$CONTAINERD_VERSION"
  mv "$out/tmp/"* "$out/"
  rmdir "$out/tmp"
}

# The CNI plugins pods on the real node need: bridge, host-local (IPAM) and loopback.
build_cni() {
  local out="$cache/cni-plugins-$CNI_PLUGINS_VERSION"
  [[ -x "$out/loopback" ]] && return 0
  log "CNI plugins $CNI_PLUGINS_VERSION: first build"
  mkdir -p "$out/tmp"
  GOBIN="$out/tmp" CGO_ENABLED=0 with_progress "CNI plugins $CNI_PLUGINS_VERSION" go install -trimpath -ldflags "-s -w" \
    "github.com/containernetworking/plugins/plugins/main/bridge@$CNI_PLUGINS_VERSION" \
    "github.com/containernetworking/plugins/plugins/ipam/host-local@$CNI_PLUGINS_VERSION" \
    "github.com/containernetworking/plugins/plugins/main/loopback@$CNI_PLUGINS_VERSION"
  mv "$out/tmp/"* "$out/"
  rmdir "$out/tmp"
}

# go_install NAME VERSION PACKAGE: go install into the cache, atomically.
go_install() {
  local name="$1" version="$2" pkg="$3"
  local out="$cache/$name-$version"
  [[ -x "$out/$name" ]] && return 0
  log "$name $version: first build"
  mkdir -p "$out/tmp"
  GOBIN="$out/tmp" with_progress "$name $version" go install -trimpath -ldflags "-s -w" "$pkg@$version"
  mv "$out/tmp/$name" "$out/$name"
  rmdir "$out/tmp"
}

# The kwok binary carries no node or pod behaviour of its own: it needs Stage objects in its config.
# The module ships the stages kwokctl uses by default; take them from the same pinned version, into a
# file beside the binary: node initialisation, node heartbeat with Lease, pod ready/complete/delete.
kwok_stages() {
  local out="$cache/kwok-$KWOK_VERSION/stages.yaml"
  [[ -s "$out" ]] && return 0
  local src
  src="$(go mod download -json "sigs.k8s.io/kwok@$KWOK_VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",*$/\1/p')"
  [[ -d "$src/kustomize/stage" ]] || { log "kwok $KWOK_VERSION: module has no kustomize/stage"; exit 1; }
  mkdir -p "$(dirname "$out")"
  local f
  for f in node/fast/node-initialize.yaml node/heartbeat-with-lease/node-heartbeat-with-lease.yaml \
    pod/fast/pod-ready.yaml pod/fast/pod-complete.yaml pod/fast/pod-delete.yaml; do
    printf -- '---\n'
    cat "$src/kustomize/stage/$f"
    printf '\n'
  done > "$out.tmp"
  mv "$out.tmp" "$out"
  log "kwok $KWOK_VERSION: default stages written to $out"
}

# The Prometheus Operator's CRDs the chart's monitoring objects use, from the pinned module's examples.
monitoring_crds() {
  local out="$cache/prometheus-operator-$PROMETHEUS_OPERATOR_VERSION"
  [[ -s "$out/monitoring.coreos.com_prometheusrules.yaml" ]] && return 0
  local src
  src="$(go mod download -json "github.com/prometheus-operator/prometheus-operator@$PROMETHEUS_OPERATOR_VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",*$/\1/p')"
  mkdir -p "$out.tmp"
  local kind
  for kind in servicemonitors podmonitors prometheusrules; do
    cp "$src/example/prometheus-operator-crd/monitoring.coreos.com_$kind.yaml" "$out.tmp/"
  done
  rm -rf "$out" && mv "$out.tmp" "$out"
  log "prometheus-operator $PROMETHEUS_OPERATOR_VERSION: CRDs written to $out"
}

command -v go >/dev/null || { log "go is not installed: install Go 1.26 and run again"; exit 1; }
# One build at a time per cache: a second caller waits, then finds the binaries built.
exec 9>"$cache/.build.lock"
flock 9
want="${1:-all}"
case "$want" in
  all)
    build_k8s
    go_install kwok "$KWOK_VERSION" sigs.k8s.io/kwok/cmd/kwok
    kwok_stages
    go_install helm "$HELM_VERSION" helm.sh/helm/v3/cmd/helm
    go_install grpcurl "$GRPCURL_VERSION" github.com/fullstorydev/grpcurl/cmd/grpcurl
    build_containerd
    build_cni
    build_kubelet
    go_install registry "$REGISTRY_VERSION" github.com/distribution/distribution/v3/cmd/registry
    go_install promtool "$PROMTOOL_VERSION" github.com/prometheus/prometheus/cmd/promtool
    monitoring_crds
    ;;
  node) build_containerd && build_cni && build_kubelet ;;
  k8s) build_k8s ;;
  kwok) go_install kwok "$KWOK_VERSION" sigs.k8s.io/kwok/cmd/kwok && kwok_stages ;;
  helm) go_install helm "$HELM_VERSION" helm.sh/helm/v3/cmd/helm ;;
  grpcurl) go_install grpcurl "$GRPCURL_VERSION" github.com/fullstorydev/grpcurl/cmd/grpcurl ;;
  registry) go_install registry "$REGISTRY_VERSION" github.com/distribution/distribution/v3/cmd/registry ;;
  promtool) go_install promtool "$PROMTOOL_VERSION" github.com/prometheus/prometheus/cmd/promtool ;;
  monitoring-crds) monitoring_crds ;;
  *) log "unknown component $want (all|k8s|kwok|helm|grpcurl|registry|node|promtool|monitoring-crds)"; exit 2 ;;
esac
