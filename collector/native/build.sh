#!/usr/bin/env bash
# Builds the optional batch receiver addon (recvmmsg.node) with the system C compiler against the
# Node-API headers of the running Node.js. The collector works without it (it falls back to
# node:dgram), so a failure here is reported and not fatal unless --strict is given.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
strict=0
[[ "${1:-}" == "--strict" ]] && strict=1
cc="${CC:-cc}"
include="$(node -p 'require("node:path").resolve(process.execPath, "..", "..", "include", "node")')"
[[ -f "$include/node_api.h" ]] || include=/usr/include/node
if [[ ! -f "$include/node_api.h" ]] || ! command -v "$cc" >/dev/null 2>&1; then
  echo "native: no C compiler or no Node-API headers; the collector will use node:dgram" >&2
  exit $((strict))
fi
mkdir -p build
if "$cc" -O2 -Wall -Wextra -shared -fPIC -I"$include" -DNODE_GYP_MODULE_NAME=recvmmsg \
     -o build/recvmmsg.node.partial recvmmsg.c; then
  mv build/recvmmsg.node.partial build/recvmmsg.node
  echo "native: built build/recvmmsg.node" >&2
else
  rm -f build/recvmmsg.node.partial
  echo "native: compiling recvmmsg.c failed; the collector will use node:dgram" >&2
  exit $((strict))
fi
