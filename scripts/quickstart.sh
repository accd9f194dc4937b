#!/usr/bin/env bash
# The README's first command: install what is missing, build, and ask the bundled model.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh -DEMBTOOL_BUILD_TESTS=OFF
echo
echo "\$ embtool neighbors king"
./build/embtool neighbors king
echo
echo "\$ embtool analogy king woman man --k 5"
./build/embtool analogy king woman man --k 5
