#!/usr/bin/env bash
# Installs every Debian 12 package that building, running and testing callscribe needs.
# Idempotent; works as root or through sudo. Extra package names given as arguments are
# installed too (scripts/install-bench-deps.sh).
set -euo pipefail

packages=(
  # toolchain
  build-essential cmake ninja-build pkg-config git python3
  # the build turns docs/openapi.yaml into the JSON that GET /openapi.json serves
  python3-yaml
  # libraries
  libboost1.81-dev libcurl4-openssl-dev libssl-dev nlohmann-json3-dev libsqlite3-dev
  libspdlog-dev libfmt-dev libcli11-dev libtomlplusplus-dev zlib1g-dev
  libmpg123-dev libsndfile1-dev libsoxr-dev libpq-dev
  libavformat-dev libavcodec-dev libswresample-dev libavutil-dev
  libpocketsphinx-dev libsphinxbase-dev pocketsphinx-en-us
  # tests and benchmarks (postgresql: the PostgreSQL 15 server the store tests start, as a
  # throw-away instance of their own: scripts/postgres-test-server.sh)
  libgtest-dev libgmock-dev libbenchmark-dev time bc postgresql
  # the ffmpeg program makes the test recordings in formats beyond MP3 and WAV (and bench/decode's)
  ffmpeg
  # a Media Streams client that is not callscribe's (tests/media_stream)
  python3-websockets
  # fuzzing (clang's libFuzzer and sanitizer runtimes) and symbolized sanitizer reports
  clang libclang-rt-14-dev llvm
  # the web page's browser test (tests/browser): Debian's chromium, driven from node
  chromium
  "$@"
)
# node and npm from Debian unless some node is already installed (NodeSource's nodejs ships npm
# itself and conflicts with Debian's npm package).
command -v node >/dev/null || packages+=(nodejs)
command -v npm >/dev/null || packages+=(npm)

sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then sudo_cmd=(sudo); fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
