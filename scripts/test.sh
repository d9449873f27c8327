#!/usr/bin/env bash
# Installs, builds and runs every test: unit, integration and end-to-end with CTest (a skipped
# test fails the run: scripts/ctest-no-skips.sh), then the web page in a browser
# (scripts/browser-test.sh), the webhook verified by a Standard Webhooks receiver
# (scripts/webhook-receiver-test.sh) and the service's answers checked against
# docs/openapi.yaml (scripts/openapi-test.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
bash scripts/ctest-no-skips.sh build --parallel "$(nproc)" --timeout 600
bash scripts/browser-test.sh
bash scripts/webhook-receiver-test.sh
bash scripts/openapi-test.sh
