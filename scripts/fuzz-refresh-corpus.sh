#!/usr/bin/env bash
# Refreshes the committed fuzzing corpora, so that every later run (scripts/fuzz.sh, CI) starts
# where this one stopped instead of at the seeds. Run it when a target or the code it reaches
# changes, then commit tests/fuzz/corpus/. Usage: fuzz-refresh-corpus.sh [SECONDS] [TARGET...]
# (default 120 s each, every target; 0 s: merge again what the last refresh found).
#
# For each target: fuzz for SECONDS from a scratch copy of its corpus and regressions (in one
# process: libFuzzer's -jobs/-workers would fork and log into the current directory), then
# merge (libFuzzer's set-cover merge, see merge_flags in fuzz-lib.sh) into the named seeds that
# tests/fuzz/make_seeds.py wrote the fewest other inputs that reach everything the scratch
# corpus reaches. Those are named by the SHA-1 of their bytes, as libFuzzer names them, so an
# input that stays keeps its name and the diff shows only what changed. A finding stops the
# script: fix it and keep the input in tests/fuzz/regressions/<target>/ first.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/fuzz-lib.sh
seconds="${1:-120}"
shift || true
targets=("$@")
((${#targets[@]})) || targets=("${fuzz_targets[@]}")

build_fuzzers "${targets[@]/#/fuzz_}"

for target in "${targets[@]}"; do
  corpus="tests/fuzz/corpus/$target"
  work="build-fuzz/refresh/$target"
  findings="build-fuzz/findings/$target"
  mapfile -t flags < <(fuzz_flags "$target")
  fuzzer="build-fuzz/tests/fuzz/fuzz_$target"
  if ((seconds > 0)); then
    scratch_corpus "$target" "$work"
    rm -rf "$findings" && mkdir -p "$findings"
    echo "refreshing $target: fuzzing for ${seconds} s" >&2
    if ! ASAN_OPTIONS=detect_leaks=1 "$fuzzer" "$work" "${flags[@]}" -max_total_time="$seconds" \
        -artifact_prefix="$findings/" -print_final_stats=1 >"$findings/log.txt" 2>&1; then
      tail -n 60 "$findings/log.txt" >&2
      echo "fuzzing $target found a problem (input in $findings/); the corpus is unchanged" >&2
      exit 1
    fi
  fi
  mapfile -t merge < <(merge_flags "$target")
  # The inputs earlier refreshes added go back into the pool, so that the merge can drop those
  # that newer ones make redundant; the named seeds stay as they are.
  find "$corpus" -maxdepth 1 -type f -regextype posix-extended -regex '.*/[0-9a-f]{40}' -delete
  ASAN_OPTIONS=detect_leaks=0 "$fuzzer" "${merge[@]}" "$corpus" "$work" \
    >"$findings/merge.txt" 2>&1 || { tail -n 30 "$findings/merge.txt" >&2; exit 1; }
  grep -E "^stat::average_exec_per_sec" "$findings/log.txt" | tr '\n' ' ' >&2 || true
  echo "$target: $(find "$corpus" -type f | wc -l) inputs, $(du -sb "$corpus" | cut -f1) bytes" >&2
done
echo "corpus total: $(du -sb tests/fuzz/corpus | cut -f1) bytes; commit tests/fuzz/corpus/" >&2
