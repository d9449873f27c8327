#!/usr/bin/env bash
# Installs the Debian packages, fetches whisper.cpp's source (scripts/fetch-whisper.sh) and builds
# callscribe in Release into ./build.
#
#   scripts/build.sh              everything: the service, the tests and the benchmarks
#   scripts/build.sh --service    the `callscribe` binary alone (scripts/run.sh): no test packages
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${1:-}" = --service ]; then
  bash scripts/install-deps.sh
  with_tests=OFF
  targets=(--target callscribe)
else
  bash scripts/install-test-deps.sh
  with_tests=ON
  targets=()
fi
bash scripts/fetch-whisper.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DCALLSCRIBE_BUILD_TESTS=$with_tests \
  -DCALLSCRIBE_BUILD_BENCH=$with_tests >/dev/null
cmake --build build --parallel "$(nproc)" "${targets[@]}"
ln -sf build/compile_commands.json compile_commands.json
