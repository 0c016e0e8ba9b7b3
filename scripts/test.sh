#!/usr/bin/env bash
# The whole suite, as CI runs it: set-up, lint, unit, integration (real control plane),
# end-to-end (real kernel under QEMU).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/setup.sh
npm run --silent lint
npx mocha --config .mocharc.unit.json
npx mocha --config .mocharc.integration.json
