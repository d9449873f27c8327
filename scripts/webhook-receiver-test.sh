#!/usr/bin/env bash
# The transcript webhook verified by a receiver written with the Standard Webhooks library
# (tests/webhook_receiver/verify_test.mjs), after the build. standardwebhooks (pinned in
# tests/webhook_receiver/package-lock.json) goes to build/webhook_receiver/node_modules with
# `npm ci`, only when the lock file changed.
set -euo pipefail
cd "$(dirname "$0")/.."
node_dir=build/webhook_receiver
mkdir -p "$node_dir"
if ! cmp -s tests/webhook_receiver/package-lock.json "$node_dir/package-lock.json" ||
   [ ! -d "$node_dir/node_modules/standardwebhooks" ]; then
  cp tests/webhook_receiver/package.json tests/webhook_receiver/package-lock.json "$node_dir/"
  (cd "$node_dir" && npm ci --no-audit --no-fund --loglevel=error)
fi
# The test bounds each of its waits; this bounds the whole (a hung service).
STANDARDWEBHOOKS="$PWD/$node_dir/node_modules/standardwebhooks" \
  exec timeout --kill-after=10 300 node tests/webhook_receiver/verify_test.mjs
