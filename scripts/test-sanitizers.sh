#!/usr/bin/env bash
# Builds the library, the binary and the tests with AddressSanitizer and UndefinedBehaviorSanitizer
# into ./build-sanitize (scripts/build-sanitized.sh) and runs the tests under them. Any report fails the run.
#
#   scripts/test-sanitizers.sh            unit, integration and end-to-end tests
#   scripts/test-sanitizers.sh REGEX      only the CTest tests matching REGEX
#
# CALLSCRIBE_TEST_LABELS, a CTest label regex, keeps the tests of those labels only (CI:
# 'unit|integration'; the end-to-end tests run the same code as a process).
#
# The end-to-end tests run the sanitized `callscribe` binary of build-sanitize, so the server, the
# sandbox and the CLI are checked as processes too (the environment below reaches them).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build-sanitized.sh

# exitcode: a distinct code, so a test that expects `callscribe` to exit 1 cannot mistake a
# report for an ordinary failure.
suppressions="$PWD/scripts/sanitizer-suppressions"
export ASAN_OPTIONS="halt_on_error=1:abort_on_error=0:exitcode=86:print_stacktrace=1:detect_leaks=1:strict_init_order=1:check_initialization_order=1:detect_stack_use_after_return=1"
# Wall-clock limits in the tests stretch by this much for the instrumented build at -O0.
export CALLSCRIBE_TEST_TIME_FACTOR=4
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:exitcode=86"
if [ -f "$suppressions/lsan.supp" ]; then export LSAN_OPTIONS="suppressions=$suppressions/lsan.supp:print_suppressions=0"; fi

# The chaos run (tests/chaos) and the scale-out run (a hundred calls over four processes) are
# left out: they are load tests, and the code they drive is the code the other tests cover.
filter=(-LE slow)
if [ $# -gt 0 ]; then filter+=(-R "$1"); fi
if [ -n "${CALLSCRIBE_TEST_LABELS:-}" ]; then filter+=(-L "$CALLSCRIBE_TEST_LABELS"); fi
bash scripts/ctest-no-skips.sh build-sanitize --parallel "$(nproc)" --timeout 600 "${filter[@]}"
