#!/usr/bin/env bash
# Installs, on top of install-deps.sh, the Debian 12 packages that the tests, the benchmarks'
# build and CI need. Not needed to build or run callscribe.
set -euo pipefail
packages=(
  # the test and benchmark frameworks, and what the benchmark scripts time with
  libgtest-dev libgmock-dev libbenchmark-dev time bc
  # the PostgreSQL 15 server the store tests start, as a throw-away instance of their own
  # (scripts/postgres-test-server.sh)
  postgresql
  # the ffmpeg program makes the test recordings in formats beyond MP3 and WAV (and bench/decode's)
  ffmpeg
  # a Media Streams client that is not callscribe's (tests/media_stream)
  python3-websockets
  # fuzzing (clang's libFuzzer and sanitizer runtimes), symbolized sanitizer reports, and LLVM's
  # linker for that build (it links the sanitized binaries several times faster than GNU ld)
  clang libclang-rt-14-dev llvm lld
  # the source format check (scripts/format.sh)
  clang-format
  # the web page's browser test (tests/browser): Debian's chromium, driven from node
  chromium
  # the Debian package: its dependencies (dpkg-shlibdeps reads the binary with `file`) and its check
  file dpkg-dev lintian
  "$@"
)
exec "$(dirname "$0")/install-deps.sh" "${packages[@]}"
