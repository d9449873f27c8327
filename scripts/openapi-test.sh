#!/usr/bin/env bash
# docs/openapi.yaml validated as OpenAPI 3.1 and the answers of `serve --sandbox` checked against
# it (tests/openapi/openapi_test.mjs), after the build. The validator, ajv and yaml (pinned in
# tests/openapi/package-lock.json) go to build/openapi/node_modules.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/npm-ci-pinned.sh tests/openapi build/openapi
# The test bounds each of its waits; this bounds the whole (a hung service).
OPENAPI_NODE_MODULES="$PWD/build/openapi/node_modules" \
  exec timeout --kill-after=10 300 node tests/openapi/openapi_test.mjs
