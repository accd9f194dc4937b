#!/usr/bin/env bash
# The README's second command, and what CI runs: install what is missing, build with
# warnings as errors, run every test (unit tests and the gensim peer test).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh --test
bash scripts/build.sh -DEMBTOOL_BUILD_TESTS=ON -DEMBTOOL_WERROR=ON
cd build
ctest --output-on-failure --parallel 2 --timeout 900
