#!/usr/bin/env bash
# Installs, builds and runs callscribe on its embedded defaults (PocketSphinx, offline).
# Until the service lands this transcribes the bundled two-channel sample call.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
echo "callscribe: transcribing samples/demo-call.mp3 (caller on channel 1, agent on channel 2)" >&2
exec build/callscribe transcribe samples/demo-call.mp3 "$@"
