#!/usr/bin/env bash
# Installs the npm packages a test folder pins (FOLDER/package.json and package-lock.json) into
# build/NAME/node_modules with `npm ci`, only when the lock file changed since the last time.
#   scripts/npm-ci-pinned.sh tests/browser build/browser
set -euo pipefail
cd "$(dirname "$0")/.."
folder=$1 node_dir=$2
mkdir -p "$node_dir"
if ! cmp -s "$folder/package-lock.json" "$node_dir/package-lock.json" ||
   [ ! -d "$node_dir/node_modules" ]; then
  cp "$folder/package.json" "$folder/package-lock.json" "$node_dir/"
  (cd "$node_dir" && npm ci --no-audit --no-fund --loglevel=error)
fi
