#!/usr/bin/env bash
# Installs and builds everything the tests and the demo need, on a fresh machine of this kind
# (Debian 12, root, Go and Node.js present). Safe to run again: every step skips what is done.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
log() { printf '[setup] %s\n' "$*" >&2; }
start=$SECONDS
did=0   # set when a step did something; a warm set-up ends "nothing to do"

# stamped NAME 'INPUTS' 'OUTPUTS' COMMAND...: skips a step whose inputs are unchanged (scripts/stamped.sh).
# shellcheck source=stamped.sh
source scripts/stamped.sh

# Debian packages: the real-kernel test bed (QEMU, busybox, cpio, kmod; xz and zstd unpack the newer
# kernels and their modules), iproute2 for network namespaces, iptables (drops datagrams on purpose inside
# a test's own namespace), a C compiler for the benchmark load generators, docker-compose to validate the
# compose file, buildah, podman, runc and mmdebstrap to build and run the images (and their base image)
# without a daemon, skopeo for the release to pin the base image by the digest its registry serves, zsh to
# test the CLI's completion script in it.
need=()
for pair in qemu-system-x86_64:qemu-system-x86 busybox:busybox-static cpio:cpio depmod:kmod ip:iproute2 \
            cc:gcc docker-compose:docker-compose tcpdump:tcpdump iptables:iptables xz:xz-utils zstd:zstd \
            openssl:openssl buildah:buildah podman:podman runc:runc mmdebstrap:mmdebstrap newuidmap:uidmap \
            skopeo:skopeo zsh:zsh; do
  cmd="${pair%%:*}" pkg="${pair#*:}"
  command -v "$cmd" >/dev/null 2>&1 || need+=("$pkg")
done
if ((${#need[@]})); then
  if [[ $(id -u) -ne 0 ]]; then
    log "missing Debian packages: ${need[*]}; run as root or: sudo apt-get install -y ${need[*]}"
    exit 1
  fi
  log "installing Debian packages: ${need[*]}"
  did=1
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

# npm ci on a fresh clone; afterwards only when package-lock.json changed (npm ci would wipe node_modules).
if [[ ! -d node_modules ]]; then
  log "npm packages (npm ci)"
  did=1
  npm ci --no-audit --no-fund --loglevel=error
elif [[ package-lock.json -nt node_modules/.package-lock.json ]]; then
  log "npm packages changed (npm install)"
  did=1
  npm install --no-audit --no-fund --loglevel=error
fi

log "control-plane binaries (cached per machine)"
cache="${LASTGASP_CACHE:-$HOME/.cache/lastgasp}"
cached="$(ls -A "$cache" 2>/dev/null || true)"
bash test/cluster/build-binaries.sh all
[[ "$(ls -A "$cache" 2>/dev/null || true)" == "$cached" ]] || did=1

log "native batch receiver (recvmmsg addon)"
stamped native 'collector/native/recvmmsg.c collector/native/build.sh' collector/native/build/recvmmsg.node \
  bash collector/native/build.sh --strict

log "TypeScript build"
stamped typescript '*.json proto agent collector test bench demo deploy/src scripts' \
  'proto/dist collector/dist agent/dist test/dist collector/dist/kube/client-node.js' \
  npm run --silent build

log "kernels for the real-kernel test bed: 6.1, 6.12, 7.3 (cached per machine)"
stamped kernels 'test/kernel test/src/kernel' "$cache/kernel-matrix.json $cache/kernel-debs" \
  env LASTGASP_KERNELS="${LASTGASP_KERNELS:-}" npx tsx --conditions=lastgasp-source test/src/kernel/prepare.ts
if ((did)); then
  log "ready in $((SECONDS - start)) s"
else
  log "nothing to do: everything up to date ($((SECONDS - start)) s)"
fi
