#!/usr/bin/env bash
# The web page in Debian's chromium (tests/browser/page_test.mjs), after the build.
# playwright-core (pinned in tests/browser/package-lock.json) goes to build/browser/node_modules.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/npm-ci-pinned.sh tests/browser build/browser
# The test bounds each of its waits; this bounds the whole (a hung browser or service).
PLAYWRIGHT_CORE="$PWD/build/browser/node_modules/playwright-core" \
  exec timeout --kill-after=10 300 node tests/browser/page_test.mjs
