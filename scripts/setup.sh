#!/usr/bin/env bash
# Installs and builds everything the tests and the demo need, on a fresh machine of this kind
# (Debian 12, root, Go and Node.js present). Safe to run again: every step skips what is done.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
log() { printf '[setup] %s\n' "$*" >&2; }
start=$SECONDS

# Debian packages: the real-kernel test bed (QEMU, busybox, cpio, kmod; xz and zstd unpack the newer
# kernels and their modules), iproute2 for network namespaces, iptables (drops datagrams on purpose inside
# a test's own namespace), a C compiler for the benchmark load generators, docker-compose to validate the compose file,
# buildah, podman, runc and mmdebstrap to build and run the images (and their base image) without a daemon.
need=()
for pair in qemu-system-x86_64:qemu-system-x86 busybox:busybox-static cpio:cpio depmod:kmod ip:iproute2 \
            cc:gcc docker-compose:docker-compose tcpdump:tcpdump iptables:iptables xz:xz-utils zstd:zstd openssl:openssl \
            buildah:buildah podman:podman runc:runc mmdebstrap:mmdebstrap newuidmap:uidmap; do
  cmd="${pair%%:*}" pkg="${pair#*:}"
  command -v "$cmd" >/dev/null 2>&1 || need+=("$pkg")
done
if ((${#need[@]})); then
  if [[ $(id -u) -ne 0 ]]; then
    log "missing Debian packages: ${need[*]}; run as root or: sudo apt-get install -y ${need[*]}"
    exit 1
  fi
  log "installing Debian packages: ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

# npm ci on a fresh clone; afterwards only when package-lock.json changed (npm ci would wipe node_modules).
if [[ ! -d node_modules ]]; then
  log "npm packages (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error
elif [[ package-lock.json -nt node_modules/.package-lock.json ]]; then
  log "npm packages changed (npm install)"
  npm install --no-audit --no-fund --loglevel=error
fi

log "control-plane binaries (cached per machine)"
bash test/cluster/build-binaries.sh all

log "native batch receiver (recvmmsg addon)"
bash collector/native/build.sh --strict

log "TypeScript build"
npm run --silent build

log "kernels for the real-kernel test bed: 6.1, 6.12, 7.3 (cached per machine)"
npx tsx --conditions=lastgasp-source test/src/kernel/prepare.ts
log "ready in $((SECONDS - start)) s"
