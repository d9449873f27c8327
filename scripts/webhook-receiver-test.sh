#!/usr/bin/env bash
# The transcript webhook verified by a receiver written with the Standard Webhooks library
# (tests/webhook_receiver/verify_test.mjs), after the build. standardwebhooks (pinned in
# tests/webhook_receiver/package-lock.json) goes to build/webhook_receiver/node_modules.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/npm-ci-pinned.sh tests/webhook_receiver build/webhook_receiver
# The test bounds each of its waits; this bounds the whole (a hung service).
STANDARDWEBHOOKS="$PWD/build/webhook_receiver/node_modules/standardwebhooks" \
  exec timeout --kill-after=10 300 node tests/webhook_receiver/verify_test.mjs
