#!/usr/bin/env bash
# Runs CTest in BUILD_DIR and fails when a test was skipped, unless tests/allowed-skips names it:
# a skipped test is green to CTest, and a check that never ran proves nothing.
#
#   scripts/ctest-no-skips.sh BUILD_DIR [CTEST_ARGS...]
set -euo pipefail
cd "$(dirname "$0")/.."
build="$1"
shift
out="$(mktemp)"
trap 'rm -f "$out"' EXIT
status=0
ctest --test-dir "$build" --output-on-failure --no-tests=error "$@" 2>&1 | tee "$out" || status=$?
[ "$status" -eq 0 ] || exit "$status"

# "  171 - Suite.Name (Skipped)" lines; the allow list has "Suite.Name: reason" lines.
allowed="$(sed -n 's/^\([^#: ][^:]*\):.*/\1/p' tests/allowed-skips)"
unexpected=()
while read -r name; do
  [ -n "$name" ] || continue
  grep -qxF "$name" <<<"$allowed" || unexpected+=("$name")
done < <(sed -n 's/^[[:space:]]*[0-9]* - \(.*\) (Skipped)$/\1/p' "$out")
if [ ${#unexpected[@]} -gt 0 ]; then
  echo "ctest: ${#unexpected[@]} test(s) skipped that tests/allowed-skips does not allow:" >&2
  printf '  %s\n' "${unexpected[@]}" >&2
  echo "(make them run here, or add them there with the reason)" >&2
  exit 1
fi
