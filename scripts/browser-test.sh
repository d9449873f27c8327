#!/usr/bin/env bash
# The web page in Debian's chromium (tests/browser/page_test.mjs), after the build.
# playwright-core (pinned in tests/browser/package-lock.json) goes to build/browser/node_modules
# with `npm ci`, only when the lock file changed.
set -euo pipefail
cd "$(dirname "$0")/.."
node_dir=build/browser
mkdir -p "$node_dir"
if ! cmp -s tests/browser/package-lock.json "$node_dir/package-lock.json" ||
   [ ! -d "$node_dir/node_modules/playwright-core" ]; then
  cp tests/browser/package.json tests/browser/package-lock.json "$node_dir/"
  (cd "$node_dir" && npm ci --no-audit --no-fund --loglevel=error)
fi
# The test bounds each of its waits; this bounds the whole (a hung browser or service).
PLAYWRIGHT_CORE="$PWD/$node_dir/node_modules/playwright-core" \
  exec timeout --kill-after=10 300 node tests/browser/page_test.mjs
