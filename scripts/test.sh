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

# The last three start a service each, on a free port with a data folder of its own, and wait on
# it most of the time: they run side by side, each one's output shown whole once it ended.
checks=(browser-test webhook-receiver-test openapi-test)
pids=()
for check in "${checks[@]}"; do
  bash "scripts/$check.sh" >"build/$check.log" 2>&1 &
  pids+=($!)
done
failed=()
for i in "${!checks[@]}"; do
  wait "${pids[$i]}" || failed+=("${checks[$i]}")
  cat "build/${checks[$i]}.log"
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "test: failed: ${failed[*]} (their output is above, and in build/<name>.log)" >&2
  exit 1
fi
