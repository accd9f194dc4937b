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
mkdir -p "$BENCH_DIR"
[[ -x $EMBTOOL && -x build/generate_googlenews_like ]] || bash scripts/build.sh >/dev/null

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
LOAD=$(for i in 1 2 3; do
  $EMBTOOL -v -m "$FILE" neighbors "$(head -c 200 "$FILE" | sed -n 2p | cut -d' ' -f1 | tr -cd 'A-Za-z_')" 2>"$LOG" >/dev/null || true
  grep -o 'in [0-9.]* s' "$LOG" | awk '{print $2}'
done | median)
FIRST_WORD=$($EMBTOOL -m "$FILE" vector --id 0 --tsv | sed -n 2p | cut -f1)
SCAN_MS=$(for i in 1 2 3; do
  $EMBTOOL -v -m "$FILE" neighbors "$FIRST_WORD" 2>&1 >/dev/null | grep -o 'searched [0-9]* rows in [0-9.]* ms' | awk '{print $5}'
done | median)
ONE=$(for i in 1 2 3; do seconds_of $EMBTOOL -m "$FILE" neighbors "$FIRST_WORD"; done | median)
PEAK_KB=$( { /usr/bin/time -f '%M' $EMBTOOL -m "$FILE" neighbors "$FIRST_WORD" >/dev/null; } 2>&1 | tail -1)
MATRIX=$((WORDS * 300 * 4))
echo "embtool load (word2vec binary)  : $LOAD s  -> $(calc "$CAT / $LOAD" 2)x the speed of cat"
echo "embtool one f32 scan            : $SCAN_MS ms -> $(calc "$MATRIX / ($SCAN_MS / 1000) / 1e9" 1) GB/s = $(calc "100 * $MATRIX / ($SCAN_MS / 1000) / 1e9 / $BW" 0)% of measured bandwidth"
echo "embtool fresh process, 1 query  : $ONE s, peak RSS $((PEAK_KB / 1024)) MiB (matrix $((MATRIX / 1048576)) MiB)"

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
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(f"{t1 - t0:.3f} {t2 - t1:.3f} {statistics.median(nexts):.3f} {peak:.0f}")
PY
)
  read -r G_LOAD G_FIRST G_NEXT G_PEAK <<< "$GENSIM"
  echo "gensim load                     : $G_LOAD s  -> $(calc "$CAT / $G_LOAD" 3)x the speed of cat"
  echo "gensim first query / next query : $G_FIRST s / $G_NEXT s, peak RSS $G_PEAK MiB"
  echo
  echo "ratios (embtool vs gensim, same run):"
  echo "  load                 : $(calc "$G_LOAD / $LOAD" 1)x faster"
  echo "  load + first answer  : embtool fresh process $ONE s vs gensim $(calc "$G_LOAD + $G_FIRST" 1) s = $(calc "100 * $ONE / ($G_LOAD + $G_FIRST)" 1)%"
  echo "  one query (scan)     : $(calc "$G_NEXT * 1000 / $SCAN_MS" 1)x faster"
else
  echo "gensim not installed (apt-get install python3-gensim): peer figures skipped"
fi
