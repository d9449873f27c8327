#!/usr/bin/env bash
# Installs, builds and runs callscribe on its embedded defaults (SQLite in ./data, PocketSphinx)
# with the Twilio sandbox in the same process and a demo call through it: open the URL it prints.
# Builds the `callscribe` binary alone (scripts/test.sh builds the tests).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh --service
exec build/callscribe serve --sandbox "$@"
