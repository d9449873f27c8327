#!/usr/bin/env bash
# Builds callscribe with clang++, AddressSanitizer and UndefinedBehaviorSanitizer into
# ./build-sanitize: the tests (scripts/test-sanitizers.sh) and the libFuzzer harnesses of fuzz/
# (scripts/fuzz.sh) share this one build.
#
#   scripts/build-sanitized.sh [TARGET...]      default: everything
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-test-deps.sh
bash scripts/fetch-whisper.sh

# -O1 with line tables only: fast enough to fuzz and to run the tests, and a report still names
# file:line. CALLSCRIBE_SANITIZE_OPT=-O0 builds in half the time and runs slower: CI's choice, as
# its fuzzing is a short replay of a fixed seed. Debug keeps NDEBUG off, so the library's
# invariants are checked.
opt=${CALLSCRIBE_SANITIZE_OPT:--O1}
cmake -S . -B build-sanitize -G Ninja -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=Debug \
  -DCMAKE_CXX_FLAGS_DEBUG="$opt -gline-tables-only" -DCMAKE_EXE_LINKER_FLAGS=-fuse-ld=lld \
  -DCALLSCRIBE_FUZZ=ON \
  -DCALLSCRIBE_BUILD_BENCH=OFF >/dev/null
targets=()
if [ $# -gt 0 ]; then targets=(--target "$@"); fi
cmake --build build-sanitize --parallel "$(nproc)" "${targets[@]}"
