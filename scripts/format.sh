#!/usr/bin/env bash
# clang-format (Debian's, version 14, with .clang-format) over every C++ file of src/, tests/,
# bench/ and fuzz/.
#
#   scripts/format.sh           reformats the files in place
#   scripts/format.sh --check   changes nothing; lists each file that differs and fails if any
set -euo pipefail
cd "$(dirname "$0")/.."
command -v clang-format >/dev/null || bash scripts/install-deps.sh clang-format >/dev/null
mapfile -t files < <(git ls-files 'src/*.cpp' 'src/*.hpp' 'tests/*.cpp' 'tests/*.hpp' \
                                   'bench/*.cpp' 'bench/*.hpp' 'fuzz/*.cpp' 'fuzz/*.hpp')
if [ "${1:-}" != --check ]; then
  clang-format -i "${files[@]}"
  exit 0
fi
# One clang-format for every file; each difference is a "code should be clang-formatted" error.
if ! out=$(clang-format --dry-run -Werror "${files[@]}" 2>&1); then
  grep -oP '^[^:]+(?=:\d+:\d+: error)' <<<"$out" | sort -u |
    sed 's/$/ differs from clang-format (scripts\/format.sh fixes it)/; s/^/format: /' >&2
  exit 1
fi
echo "format: ${#files[@]} files as clang-format writes them"
