#!/usr/bin/env bash
# Builds the libFuzzer targets with clang, AddressSanitizer and UndefinedBehaviorSanitizer in
# build-fuzz/, then runs each for a bounded time (default 60 s, or $1) from its committed seeds.
# A crash, a sanitizer report, a leak, a timeout (10 s an input) or an allocation over 2 GB
# fails the run; the input is left in build-fuzz/findings/<target>/ to be kept as a regression
# (tests/fuzz/regressions/<target>/) once fixed.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
targets=(word2vec_binary word2vec_text glove gzip store batch expression)

cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++ \
      -DEMBTOOL_FUZZ=ON -DEMBTOOL_BUILD_TESTS=OFF >/dev/null
cmake --build build-fuzz --parallel "$(nproc)" --target "${targets[@]/#/fuzz_}"

failed=()
for target in "${targets[@]}"; do
  work="build-fuzz/work/$target"
  findings="build-fuzz/findings/$target"
  rm -rf "$work" && mkdir -p "$work" "$findings"
  echo "fuzzing $target for ${seconds} s" >&2
  # New inputs go to a scratch corpus; the committed seeds are only read.
  if ! ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
      "build-fuzz/tests/fuzz/fuzz_$target" "$work" "tests/fuzz/corpus/$target" \
      -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -malloc_limit_mb=2048 \
      -artifact_prefix="$findings/" -print_final_stats=1 >"$findings/log.txt" 2>&1; then
    failed+=("$target")
    tail -n 60 "$findings/log.txt" >&2
  else
    grep -E "^stat::number_of_executed_units|^Done" "$findings/log.txt" | tr '\n' ' ' >&2; echo >&2
  fi
done
if ((${#failed[@]})); then
  echo "fuzzing found problems in: ${failed[*]} (inputs in build-fuzz/findings/)" >&2
  exit 1
fi
echo "fuzzing: ${#targets[@]} targets, ${seconds} s each, nothing found" >&2
