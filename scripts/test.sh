#!/usr/bin/env bash
# The README's second command, and what CI runs: install what is missing, then
#   1. build with warnings as errors and run every test (unit tests, the gensim and
#      compute-accuracy peer tests, the terminal test, the fuzz seeds and past crashes);
#   2. build the same suite with AddressSanitizer and UndefinedBehaviorSanitizer and run it;
#   3. fuzz every parser for a bounded time (FUZZ_SECONDS each, default 20) with libFuzzer.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh --test

bash scripts/build.sh -DEMBTOOL_BUILD_TESTS=ON -DEMBTOOL_WERROR=ON
(cd build && ctest --output-on-failure --parallel 2 --timeout 900)

echo "== the test suite again, with -fsanitize=address,undefined (build-asan/)" >&2
cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DEMBTOOL_SANITIZE=ON \
      -DEMBTOOL_BUILD_TESTS=ON >/dev/null
cmake --build build-asan --parallel "$(nproc)"
# The peer tests over large generated files (GGUF in 13 types, safetensors, 10,000 lines
# through three tokenizers) compare answers, which the release stage has done; under the
# sanitizers (10-20x slower) the unit tests, replays and the other peers look for memory errors.
# gensim's answers on the eval files, the reliability runs (10M words, 4 GiB files), nginx, the
# browser and the layering build add nothing to that and cost most of its time.
(cd build-asan && ASAN_OPTIONS=detect_leaks=1 LSAN_OPTIONS="suppressions=$PWD/../tests/lsan.supp" ctest --output-on-failure --parallel 2 --timeout 1800 \
   -E 'peer_gguf|peer_safetensors|peer_tokenizers|peer_gensim|reliability|serve_nginx|serve_browser|layering_build')

echo "== fuzzing (build-fuzz/)" >&2
bash scripts/fuzz.sh "${FUZZ_SECONDS:-20}"
