#!/usr/bin/env python3
"""Keep the first N words of a word2vec binary model (standard library only).

word2vec.c writes the vocabulary most frequent first (after '</s>'), so the
first N entries are the N most frequent words. The input layout is checked
while copying: header "<count> <dim>\\n", then per word: the word's bytes,
one space, dim little-endian float32, '\\n'. The header count is rewritten.

Usage:
  truncate_model.py IN OUT [--max-words N] [--max-bytes B]

Without limits the model is copied unchanged. With --max-bytes, the largest
prefix whose whole file fits in B bytes is kept (and at most --max-words).
"""

import argparse
import math
import os
import struct
import sys


def read_entries(f, count, dim):
    vec_bytes = 4 * dim
    for i in range(count):
        word = bytearray()
        while True:
            c = f.read(1)
            if not c:
                raise ValueError(f"entry {i}: end of file inside a word")
            if c == b" ":
                break
            word += c
        if not word or b"\n" in word:
            raise ValueError(f"entry {i}: bad word {bytes(word)!r}")
        vec = f.read(vec_bytes)
        if len(vec) != vec_bytes:
            raise ValueError(f"entry {i}: short vector")
        if f.read(1) != b"\n":
            raise ValueError(f"entry {i}: vector not followed by '\\n'")
        for x in struct.unpack(f"<{dim}f", vec):
            if not math.isfinite(x):
                raise ValueError(f"entry {i}: non-finite value")
        yield bytes(word), vec


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("input")
    ap.add_argument("output")
    ap.add_argument("--max-words", type=int, default=0)
    ap.add_argument("--max-bytes", type=int, default=0)
    args = ap.parse_args()

    with open(args.input, "rb") as f:
        header = f.readline()
        parts = header.split()
        if len(parts) != 2 or not header.endswith(b"\n"):
            sys.exit(f"bad header {header!r}")
        count, dim = int(parts[0]), int(parts[1])
        entries = list(read_entries(f, count, dim))
        if f.read(1):
            sys.exit("trailing bytes after the last vector")

    keep = count if args.max_words <= 0 else min(count, args.max_words)
    if args.max_bytes > 0:
        # file size of the first k entries = len(header(k)) + sum(entry sizes)
        size = 0
        sizes = []
        for word, _ in entries[:keep]:
            size += len(word) + 1 + 4 * dim + 1
            sizes.append(size)
        while keep > 0 and len(b"%d %d\n" % (keep, dim)) + sizes[keep - 1] > args.max_bytes:
            keep -= 1

    seen = set()
    for word, _ in entries[:keep]:
        if word in seen:
            sys.exit(f"duplicate word {word!r}")
        seen.add(word)

    tmp = args.output + ".tmp"
    with open(tmp, "wb") as out:
        out.write(b"%d %d\n" % (keep, dim))
        for word, vec in entries[:keep]:
            out.write(word + b" " + vec + b"\n")
    os.replace(tmp, args.output)
    print(f"{args.output}: {keep} of {count} words x {dim} dims, "
          f"{os.path.getsize(args.output)} bytes", file=sys.stderr)


if __name__ == "__main__":
    main()
