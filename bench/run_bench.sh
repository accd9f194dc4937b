#!/usr/bin/env bash
# Times embtool against the machine's limits and against Debian's gensim, all in one run on
# the same GoogleNews-shaped file, and prints each figure and each ratio.
#
#   bench/run_bench.sh [--words N]      (default 3,000,000 x 300: a 3.6 GB file)
# Environment: BENCH_DIR (default /tmp/embtool-bench) holds the generated file.
# Needs: a release build in build/ (scripts/build.sh), python3-gensim for the peer figures.
set -euo pipefail
cd "$(dirname "$0")/.."
WORDS=3000000
[[ "${1:-}" == "--words" ]] && WORDS=$2
BENCH_DIR=${BENCH_DIR:-/tmp/embtool-bench}
FILE=$BENCH_DIR/googlenews-like-$WORDS.bin
EMBTOOL=build/embtool
# Loads are timed reading the file itself, not its cached store (bench/cache_bench.sh times that).
export EMBTOOL_CACHE=0
mkdir -p "$BENCH_DIR"
[[ -x $EMBTOOL && -x build/generate_googlenews_like && -x build/scan_bench ]] || bash scripts/build.sh >/dev/null

if [[ ! -s $FILE ]]; then
  echo "generating $FILE ($WORDS x 300, seeded)" >&2
  build/generate_googlenews_like "$FILE.tmp" --words "$WORDS" --dim 300 --seed 1 && mv "$FILE.tmp" "$FILE"
fi
BYTES=$(stat -c %s "$FILE")

median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
seconds_of() { local s; s=$(date +%s.%N); "$@" >/dev/null 2>&1; calc "$(date +%s.%N) - $s" 3; echo; }
# calc EXPRESSION [DECIMALS]: arithmetic with floats and exponents, which bc lacks.
calc() { awk "BEGIN { printf \"%.${2:-2}f\", $1 }"; }

echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "file: $FILE, $BYTES bytes"
echo "embtool: $($EMBTOOL --version)"
echo

cat "$FILE" > /dev/null  # warm the page cache
CAT=$(for i in 1 2 3; do seconds_of cat "$FILE"; done | median)
BW=$(build/memory_bandwidth 2 | tail -1 | awk '{print $2}')
echo "page-cache read (cat)          : $CAT s  ($(calc "$BYTES / $CAT / 1e9" 1) GB/s)"
echo "memory read bandwidth, all cores: $BW GB/s"

LOG=$BENCH_DIR/embtool.log
FIRST_WORD=$($EMBTOOL -m "$FILE" vector --id 0 --tsv | sed -n 2p | cut -f1)
# Load = ready to answer: vocabulary indexed, norms computed ("loaded ... in X s" at -v).
LOAD=$(for i in 1 2 3 4 5; do
  $EMBTOOL -v -m "$FILE" info 2>"$LOG" >/dev/null
  grep -o 'in [0-9.]* s' "$LOG" | head -1 | awk '{print $2}'
done | median)
ONE_BIN=$(for i in 1 2 3; do seconds_of $EMBTOOL -m "$FILE" neighbors "$FIRST_WORD"; done | median)
MATRIX=$((WORDS * 300 * 4))
echo "embtool load (word2vec binary)  : $LOAD s  -> $(calc "$CAT / $LOAD" 2)x the speed of cat"
echo "embtool fresh process on .bin   : $ONE_BIN s (load + one neighbors query)"

STORE=$BENCH_DIR/googlenews-like-$WORDS.emb
if [[ ! -s $STORE || $STORE -ot $FILE ]]; then
  CONVERT=$(seconds_of $EMBTOOL convert "$FILE" "$STORE" --dtype f16,i8 --force)
  echo "embtool convert (f32 + f16 + i8): $CONVERT s"
fi
cat "$STORE" > /dev/null  # page cache, as for the .bin
OPEN_MS=$(for i in 1 2 3 4 5; do
  $EMBTOOL -v -m "$STORE" info 2>"$LOG" >/dev/null
  grep -o 'in [0-9.]* s' "$LOG" | head -1 | awk '{printf "%.3f\n", $2 * 1000}'
done | median)
ONE_EMB=$(for i in 1 2 3 4 5; do seconds_of $EMBTOOL -m "$STORE" neighbors "$FIRST_WORD"; done | median)
ONE_EMB_F32=$(for i in 1 2 3 4 5; do seconds_of $EMBTOOL -m "$STORE" --scan-dtype f32 neighbors "$FIRST_WORD"; done | median)
PEAK_KB=$( { /usr/bin/time -f '%M' $EMBTOOL -m "$STORE" --scan-dtype f32 neighbors "$FIRST_WORD" >/dev/null; } 2>&1 | tail -1)
VOCAB_BYTES=$($EMBTOOL -m "$STORE" info --tsv | awk -F'\t' '$1 == "vocabulary_bytes" {print $2}')
echo "embtool open .emb (-v log)      : $OPEN_MS ms"
echo "embtool fresh process on .emb   : $ONE_EMB s (i8 scan), $ONE_EMB_F32 s (f32 scan)"
echo "peak RSS serving from .emb f32  : $((PEAK_KB / 1024)) MiB = $(calc "$PEAK_KB * 1024 / ($MATRIX + $VOCAB_BYTES)" 3)x (matrix + vocabulary bytes)"

# In one process: scans (median of 30), recall@10 of f16/i8 over 1000 random queries, and
# 1000 queries as one batch (bench/scan_bench.cpp).
build/scan_bench "$STORE" --queries 1000 --singles 30 > "$BENCH_DIR/scan_bench.txt"
value() { awk -v k="$1" '$1 == k {print $2}' "$BENCH_DIR/scan_bench.txt"; }
SCAN_MS=$(value scan_f32_ms)
echo "one exact f32 scan (in process) : $SCAN_MS ms -> $(calc "$MATRIX / ($SCAN_MS / 1000) / 1e9" 1) GB/s = $(calc "100 * $MATRIX / ($SCAN_MS / 1000) / 1e9 / $BW" 0)% of measured bandwidth"
echo "f16 scan + exact re-rank        : $(value scan_f16_ms) ms -> $(calc "$SCAN_MS / $(value scan_f16_ms)" 2)x the f32 scan, recall@10 $(value recall10_f16)"
echo "i8 scan + exact re-rank         : $(value scan_i8_ms) ms -> $(calc "$SCAN_MS / $(value scan_i8_ms)" 2)x the f32 scan, recall@10 $(value recall10_i8)"
echo "1000 queries in one batch       : $(value batch_s) s = $(value batch_per_query_ms) ms a query -> $(calc "$SCAN_MS / $(value batch_per_query_ms)" 1)x faster than 1000 single f32 scans (answers equal: $(value batch_equals_single))"

if /usr/bin/python3 -c 'import gensim' 2>/dev/null; then
  GENSIM=$(/usr/bin/python3 - "$FILE" "$FIRST_WORD" <<'PY'
import resource, statistics, sys, time
from gensim.models import KeyedVectors
path, word = sys.argv[1], sys.argv[2]
t0 = time.perf_counter(); kv = KeyedVectors.load_word2vec_format(path, binary=True); t1 = time.perf_counter()
kv.most_similar(word, topn=10); t2 = time.perf_counter()
nexts = []
for w in kv.index_to_key[1:6]:
    s = time.perf_counter(); kv.most_similar(w, topn=10); nexts.append(time.perf_counter() - s)
batch = kv.index_to_key[1000:1100]
s = time.perf_counter()
for w in batch: kv.most_similar(w, topn=10)
hundred = time.perf_counter() - s
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(f"{t1 - t0:.3f} {t2 - t1:.3f} {statistics.median(nexts):.3f} {hundred:.3f} {peak:.0f}")
PY
)
  read -r G_LOAD G_FIRST G_NEXT G_HUNDRED G_PEAK <<< "$GENSIM"
  echo "gensim load                     : $G_LOAD s  -> $(calc "$CAT / $G_LOAD" 3)x the speed of cat"
  echo "gensim first query / next query : $G_FIRST s / $G_NEXT s; 100 queries $G_HUNDRED s; peak RSS $G_PEAK MiB"
  echo
  echo "ratios (same run):"
  echo "  load .bin             : embtool $(calc "$G_LOAD / $LOAD" 1)x faster than gensim"
  echo "  .emb open + 1 answer  : embtool $ONE_EMB s vs gensim load + first answer $(calc "$G_LOAD + $G_FIRST" 1) s = $(calc "100 * $ONE_EMB / ($G_LOAD + $G_FIRST)" 2)%"
  echo "  one query (f32 scan)  : embtool $(calc "$G_NEXT * 1000 / $SCAN_MS" 1)x faster"
  echo "  1000 queries          : embtool batch $(value batch_s) s vs gensim $(calc "$G_HUNDRED * 10" 1) s (100 timed x 10)"
  echo "  peak memory           : embtool .emb $((PEAK_KB / 1024)) MiB vs gensim $G_PEAK MiB"
else
  echo "gensim not installed (apt-get install python3-gensim): peer figures skipped"
fi
