#!/usr/bin/env bash
# Installs the Debian 12 packages that building callscribe needs, and nothing more: the compiler
# and the development files of the libraries it links. Idempotent; works as root or through
# sudo. Extra package names given as arguments are installed too: the tests'
# (scripts/install-test-deps.sh), the benchmarks' (scripts/install-bench-deps.sh).
#
# What a built callscribe needs at run time is not listed here: the Debian package computes it
# from the binary (scripts/package.sh), plus the PocketSphinx model below.
set -euo pipefail

packages=(
  # toolchain (ccache: a rebuild in a fresh checkout reuses earlier compilations)
  build-essential cmake ninja-build pkg-config git python3 ccache
  # the build turns docs/openapi.yaml into the JSON that GET /openapi.json serves
  python3-yaml
  # libraries
  libboost1.81-dev libcurl4-openssl-dev libssl-dev nlohmann-json3-dev libsqlite3-dev
  libspdlog-dev libfmt-dev libcli11-dev libtomlplusplus-dev zlib1g-dev
  libmpg123-dev libsndfile1-dev libsoxr-dev libpq-dev
  libavformat-dev libavcodec-dev libswresample-dev libavutil-dev
  libpocketsphinx-dev libsphinxbase-dev
  # the embedded engine's English model (run time, and the build's default model folder)
  pocketsphinx-en-us
  "$@"
)
# node and npm from Debian unless some node is already installed (NodeSource's nodejs ships npm
# itself and conflicts with Debian's npm package): scripts/fetch-whisper.sh takes whisper.cpp's
# source from the npm registry.
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
