#!/usr/bin/env bash
# Times the cache of converted files (src/app/store_cache.hpp) on a GoogleNews-shaped .bin.gz:
# the first open (decompress, read, write the cached store), the same open with the cache off,
# and the second open (the cached store mapped), each a fresh process, and checks that all
# three give the same answer.
#
#   bash bench/cache_bench.sh [--words N]   (default 200,000 x 300: a 240 MB file, ~220 MB gzipped;
#                                            GoogleNews' size: --words 3000000)
# Environment: BENCH_DIR (default /tmp/embtool-bench) holds the files and a cache of its own.
set -euo pipefail
cd "$(dirname "$0")/.."
WORDS=200000
[[ "${1:-}" == "--words" ]] && WORDS=$2
BENCH_DIR=${BENCH_DIR:-/tmp/embtool-bench}
FILE=$BENCH_DIR/googlenews-like-$WORDS.bin.gz
EMBTOOL=build/embtool
mkdir -p "$BENCH_DIR"
[[ -x $EMBTOOL && -x build/generate_googlenews_like ]] || bash scripts/build.sh >/dev/null

if [[ ! -s $FILE ]]; then
  echo "generating $FILE ($WORDS x 300, seeded, gzip -6)" >&2
  build/generate_googlenews_like "$BENCH_DIR/cache-bench.bin.tmp" --words "$WORDS" --dim 300 --seed 1
  gzip -6 -c "$BENCH_DIR/cache-bench.bin.tmp" > "$FILE.tmp" && mv "$FILE.tmp" "$FILE"
  rm -f "$BENCH_DIR/cache-bench.bin.tmp"
fi
export XDG_CACHE_HOME=$BENCH_DIR/cache
unset EMBTOOL_CACHE EMBTOOL_CACHE_MIN_BYTES
rm -rf "$XDG_CACHE_HOME"

seconds_of() { local s; s=$(date +%s.%N); "$@" >/dev/null 2>&1; calc "$(date +%s.%N) - $s" 3; echo; }
calc() { awk "BEGIN { printf \"%.${2:-2}f\", $1 }"; }
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
# The open alone, as embtool's -v log times it ("loaded ... in 0.001 s"), in ms.
open_ms() { "$EMBTOOL" -v "$@" info 2>&1 >/dev/null | sed -n 's/.*loaded .* in \([0-9.]*\) s;.*/\1/p' | awk '{printf "%.1f\n", $1 * 1000}'; }

echo "file: $FILE, $(stat -c %s "$FILE") bytes; $($EMBTOOL --version)"
cat "$FILE" > /dev/null  # the compressed file in the page cache: every run reads it from memory
WORD=$($EMBTOOL --no-cache -m "$FILE" vector --id 1 --tsv | sed -n 2p | cut -f1)
Q=(-m "$FILE" neighbors "$WORD" --json)

NO_CACHE=$(seconds_of $EMBTOOL --no-cache "${Q[@]}")
echo "open + 1 neighbors, --no-cache        : $NO_CACHE s   ($EMBTOOL --no-cache ${Q[*]})"
FIRST=$(seconds_of $EMBTOOL "${Q[@]}")
echo "first open + 1 neighbors (writes cache): $FIRST s   ($EMBTOOL ${Q[*]})"
$EMBTOOL cache list | tail -n +2 | head -1
SECOND=$(for i in 1 2 3 4 5; do seconds_of $EMBTOOL "${Q[@]}"; done | median)
echo "second open + 1 neighbors (mapped)    : $SECOND s   (median of 5)"
OPEN=$(for i in 1 2 3 4 5; do open_ms "${Q[@]:0:2}"; done | median)
echo "second open alone (-v log)            : $OPEN ms   ($EMBTOOL -v -m $FILE info; target < 50 ms)"
INFO=$(for i in 1 2 3 4 5; do seconds_of $EMBTOOL -m "$FILE" info; done | median)
echo "fresh process: cached open + info     : $INFO s   (info reads every norm)"

A=$($EMBTOOL --no-cache "${Q[@]}"); B=$($EMBTOOL "${Q[@]}")
[[ "$A" == "$B" ]] && echo "answers: identical with and without the cache" || { echo "answers DIFFER"; exit 1; }
awk -v o="$OPEN" 'BEGIN { exit !(o < 50) }' && echo "second open < 50 ms: yes" || echo "second open < 50 ms: NO"
