#!/usr/bin/env bash
# Installs the Debian packages, fetches whisper.cpp's source (scripts/fetch-whisper.sh) and builds
# callscribe in Release into ./build.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/fetch-whisper.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build --parallel "$(nproc)"
ln -sf build/compile_commands.json compile_commands.json
