#!/usr/bin/env bash
# Builds the Debian package into ./build-package: callscribe_VERSION_amd64.deb (cmake/package.cmake).
# A build of the service alone, installed under /usr, whose demo call is the installed one.
#
#   scripts/package.sh          prints the .deb's path
set -euo pipefail
cd "$(dirname "$0")/.."
# dpkg-shlibdeps computes Depends (dpkg-dev); it reads the binary's type with `file`.
bash scripts/install-deps.sh file dpkg-dev >&2
bash scripts/fetch-whisper.sh >&2
cmake -S . -B build-package -G Ninja -DCMAKE_BUILD_TYPE=Release -DCALLSCRIBE_BUILD_TESTS=OFF \
  -DCALLSCRIBE_BUILD_BENCH=OFF -DCMAKE_INSTALL_PREFIX=/usr \
  -DCALLSCRIBE_SAMPLES_DIR=/usr/share/callscribe >&2
cmake --build build-package --parallel "$(nproc)" --target callscribe >&2
(cd build-package && cpack >&2)
ls "$PWD"/build-package/callscribe_*_amd64.deb
