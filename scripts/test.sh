#!/usr/bin/env bash
# Installs, builds and runs every test: unit, integration and end-to-end with CTest, then the web
# page in a browser (scripts/browser-test.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
ctest --test-dir build --output-on-failure --parallel "$(nproc)" --timeout 600
bash scripts/browser-test.sh
