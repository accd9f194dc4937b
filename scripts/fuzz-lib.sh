# What scripts/fuzz.sh and scripts/fuzz-refresh-corpus.sh share (sourced, not run): the
# targets, the build, and each target's libFuzzer flags.
fuzz_targets=(word2vec_binary word2vec_text glove gzip store safetensors npy gguf batch expression tokenizer_json tokenize http_request)

# Builds the libFuzzer targets with clang, AddressSanitizer and UndefinedBehaviorSanitizer in
# build-fuzz/ (through ccache when there is one).
build_fuzzers() {
  local launcher=()
  if command -v ccache >/dev/null; then launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache); fi
  cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++ \
        -DEMBTOOL_FUZZ=ON -DEMBTOOL_BUILD_TESTS=OFF "${launcher[@]}" >/dev/null
  cmake --build build-fuzz --parallel "${FUZZ_BUILD_JOBS:-$(nproc)}" --target "$@"
}

# The flags every run of target $1 takes: its dictionary (tests/fuzz/dict/<target>.dict) and
# its largest input. A crash, a sanitizer report, a leak, a timeout (10 s an input) or an
# allocation over 2 GB is a finding.
fuzz_flags() {
  local target="$1"
  local flags=(-timeout=10 -rss_limit_mb=2048 -malloc_limit_mb=2048)
  [[ -f "tests/fuzz/dict/$target.dict" ]] && flags+=("-dict=tests/fuzz/dict/$target.dict")
  case "$target" in
    # Stores are whole pages; the text formats need only a few records to reach every branch.
    store) flags+=(-max_len=65536) ;;
    gzip|batch|expression|http_request) flags+=(-max_len=2048) ;;
    *) flags+=(-max_len=4096) ;;
  esac
  printf '%s\n' "${flags[@]}"
}

# A scratch corpus for target $1 in $2: the committed corpus and every kept regression,
# copied, so that a run adds its finds there and never into the repository.
scratch_corpus() {
  local target="$1" dir="$2"
  rm -rf "$dir" && mkdir -p "$dir"
  cp "tests/fuzz/corpus/$target"/* "$dir"/
  if [[ -d "tests/fuzz/regressions/$target" ]]; then
    for file in "tests/fuzz/regressions/$target"/*; do cp "$file" "$dir/regression-$(basename "$file")"; done
  fi
}

# The flags of target $1's merge into its committed corpus: the fewest inputs (a greedy set
# cover) that reach every edge and hit count the scratch corpus reaches. A store is whole
# 4 KiB pages, mostly zeros: only stores of up to 16 KiB are kept beyond the named seeds, so
# that the committed corpus stays small (a few hundred KB for all targets).
merge_flags() {
  local target="$1"
  mapfile -t flags < <(fuzz_flags "$target")
  flags+=(-set_cover_merge=1)
  [[ "$target" == store ]] && flags+=(-max_len=16384)
  printf '%s\n' "${flags[@]}"
}
