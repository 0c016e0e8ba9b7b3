#!/usr/bin/env bash
# The whole suite, as CI runs it: set-up (installs and builds what is missing), lint, unit tests,
# integration tests against a real control plane, end-to-end tests against a real kernel under QEMU.
# Ends with one line: `all: N passed, N failed`.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
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
