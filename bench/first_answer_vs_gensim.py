#!/usr/bin/env python3
"""Time to a first answer, embtool vs gensim, measured in the same run on the same file.

For each of RUNS rounds, in a fresh process each time:
  embtool: `embtool -m FILE neighbors WORD --k 10` (load + one query)
  gensim : KeyedVectors.load_word2vec_format(FILE) + most_similar(WORD, topn=10)
and prints the medians and their ratio. Run with Debian's python3 (gensim 4.2):

  /usr/bin/python3 bench/first_answer_vs_gensim.py build/embtool data/model.bin king
"""
import statistics
import subprocess
import sys
import time

GENSIM = """
import sys
from gensim.models import KeyedVectors
path, word, binary = sys.argv[1], sys.argv[2], sys.argv[3] == "1"
kv = KeyedVectors.load_word2vec_format(path, binary=binary)
kv.most_similar(word, topn=10)
"""


def wall(cmd):
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    embtool, path, word = sys.argv[1:4]
    runs = int(sys.argv[4]) if len(sys.argv) > 4 else 5
    with open(path, "rb") as f:
        f.readline()
        binary = b"\0" in f.read(4096)
    e, g = [], []
    for _ in range(runs):  # interleaved, so that drift on a shared machine hits both alike
        e.append(wall([embtool, "-q", "-m", path, "neighbors", word, "--k", "10"]))
        g.append(wall([sys.executable, "-c", GENSIM, path, word, "1" if binary else "0"]))
    me, mg = statistics.median(e), statistics.median(g)
    print(f"file {path}, {runs} runs each, fresh process per run, median wall time")
    print(f"embtool load + neighbors : {me:.3f} s")
    print(f"gensim  load + most_similar: {mg:.3f} s (python start and import included)")
    print(f"embtool / gensim          : {me / mg:.3f}  ({mg / me:.1f}x faster)")


if __name__ == "__main__":
    main()
