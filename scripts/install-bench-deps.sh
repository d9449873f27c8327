#!/usr/bin/env bash
# Installs, on top of install-test-deps.sh, the Debian 12 packages the HTTP benchmark (bench/http)
# needs: wrk (the load generator) and nginx (the baseline file server; the benchmark starts its
# own on a temp config). Not needed to build, run or test callscribe.
set -euo pipefail
exec "$(dirname "$0")/install-test-deps.sh" wrk nginx
