#!/usr/bin/env bash
# Brings whisper.cpp 1.9.1's source (ggml included) for the `whisper` engine: the npm registry's
# nodejs-whisper package carries it under cpp/whisper.cpp. Pinned and integrity-checked by
# third_party/whisper/package-lock.json (`npm ci`); done again only when the lock file changed.
# The build (cmake/whisper.cmake) compiles it; nothing of it is committed.
set -euo pipefail
cd "$(dirname "$0")/../third_party/whisper"
stamp=node_modules/.callscribe-package-lock.json
if cmp -s package-lock.json "$stamp" &&
   [ -f node_modules/nodejs-whisper/cpp/whisper.cpp/include/whisper.h ]; then
  exit 0
fi
npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
cp package-lock.json "$stamp"
