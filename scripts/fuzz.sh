#!/usr/bin/env bash
# Builds the libFuzzer targets (scripts/fuzz-lib.sh) and runs each for a bounded time
# (default 60 s, or $1) from a scratch copy of its committed corpus (tests/fuzz/corpus/<target>,
# refreshed by scripts/fuzz-refresh-corpus.sh) and kept regressions, with its dictionary.
# Nothing is written into the repository. A finding fails the run; the input is left in
# build-fuzz/findings/<target>/ to be kept as a regression (tests/fuzz/regressions/<target>/)
# once fixed.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/fuzz-lib.sh
seconds="${1:-60}"
targets=("${fuzz_targets[@]}")

build_fuzzers "${targets[@]/#/fuzz_}"

# One target a core: libFuzzer runs one process each, so two cores fuzz two targets at a time.
fuzz_one() {
  local target="$1"
  local work="build-fuzz/work/$target"
  local findings="build-fuzz/findings/$target"
  scratch_corpus "$target" "$work"
  rm -rf "$findings" && mkdir -p "$findings"
  local flags
  mapfile -t flags < <(fuzz_flags "$target")
  echo "fuzzing $target for ${seconds} s" >&2
  if ! ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
      "build-fuzz/tests/fuzz/fuzz_$target" "$work" "${flags[@]}" -max_total_time="$seconds" \
      -artifact_prefix="$findings/" -print_final_stats=1 >"$findings/log.txt" 2>&1; then
    tail -n 60 "$findings/log.txt" >&2
    return 1
  fi
  { echo -n "$target: "; grep -E "^stat::number_of_executed_units|^stat::average_exec_per_sec|^Done" \
      "$findings/log.txt" | tr '\n' ' '; echo; } >&2
}

jobs_at_once="$(nproc)"
failed=()
pids=()
names=()
wait_for_one() {
  if ! wait "${pids[0]}"; then failed+=("${names[0]}"); fi
  pids=("${pids[@]:1}")
  names=("${names[@]:1}")
}
for target in "${targets[@]}"; do
  ((${#pids[@]} >= jobs_at_once)) && wait_for_one
  fuzz_one "$target" &
  pids+=("$!")
  names+=("$target")
done
while ((${#pids[@]})); do wait_for_one; done
if ((${#failed[@]})); then
  echo "fuzzing found problems in: ${failed[*]} (inputs in build-fuzz/findings/)" >&2
  exit 1
fi
echo "fuzzing: ${#targets[@]} targets, ${seconds} s each, nothing found" >&2
