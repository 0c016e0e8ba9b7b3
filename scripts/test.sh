#!/usr/bin/env bash
# The whole suite, as CI runs it: set-up (installs and builds what is missing), lint, unit tests,
# integration tests against a real control plane, end-to-end tests against a real kernel under QEMU.
# Ends with one line: `all: N passed, N failed`.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# Everything runs on the project's one Node.js version (.node-version), whatever Node started npm.
if [[ "$(node --version 2>/dev/null)" != "v$(tr -d '[:space:]' < .node-version)" ]]; then
  PATH="$(bash scripts/pinned-node.sh):$PATH"
  export PATH
  exec bash "$0" "$@"
fi
echo "[test] Node.js $(node --version)"
start=$SECONDS
bash scripts/setup.sh
echo "[test] lint"
npm run --silent lint

summary="$(mktemp)"
trap 'rm -f "$summary"' EXIT
export LASTGASP_TEST_SUMMARY="$summary"
status=0
for suite in unit integration e2e; do
  echo "[test] $suite tests"
  LASTGASP_TEST_SUITE="$suite" npx mocha --config ".mocharc.$suite.json" || status=1
done
read -r passed failed < <(awk '{p += $1; f += $2} END {print p + 0, f + 0}' "$summary")
echo "[test] finished in $((SECONDS - start)) s"
echo "all: $passed passed, $failed failed"
exit "$status"
