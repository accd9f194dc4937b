#!/usr/bin/python3
"""Evaluate a word2vec binary model with gensim (Debian: apt-get install python3-gensim).

Usage:
  /usr/bin/python3 evaluate_model.py MODEL EVAL_DIR [--json FILE]

EVAL_DIR holds gensim's test files questions-words.txt, wordsim353.tsv and
simlex999.txt. Prints: analogy accuracy (evaluate_word_analogies, defaults)
overall and per section, word-pair correlations (evaluate_word_pairs,
defaults), nearest neighbours of a few common words, and king - man + woman
with most_similar (3CosAdd) and most_similar_cosmul (3CosMul).
"""

import argparse
import hashlib
import json
import os
import sys

import gensim
from gensim.models import KeyedVectors

NEIGHBOUR_WORDS = ["king", "queen", "man", "woman", "cat", "dog", "france",
                   "paris", "computer", "music"]


def questions_per_section(path):
    counts, section = {}, None
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.startswith(":"):
                section = line[1:].strip()
                counts[section] = 0
            elif line.strip():
                counts[section] += 1
    return counts


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("model")
    ap.add_argument("eval_dir")
    ap.add_argument("--json", help="also write the results as JSON here")
    ap.add_argument("--topn", type=int, default=10)
    args = ap.parse_args()

    with open(args.model, "rb") as f:
        sha = hashlib.sha256(f.read()).hexdigest()
    kv = KeyedVectors.load_word2vec_format(args.model, binary=True)
    res = {"model": os.path.basename(args.model), "bytes": os.path.getsize(args.model),
           "sha256": sha, "gensim": gensim.__version__,
           "words": len(kv.index_to_key), "dim": kv.vector_size}
    print(f"model {args.model}: {res['words']} words x {res['dim']} dims, "
          f"{res['bytes']} bytes, sha256 {sha} (gensim {gensim.__version__})")

    # --- analogies
    qpath = os.path.join(args.eval_dir, "questions-words.txt")
    total_q = questions_per_section(qpath)
    score, sections = kv.evaluate_word_analogies(qpath)
    res["analogy"] = {"score": score, "questions_total": sum(total_q.values()), "sections": []}
    print(f"\nanalogies {qpath} (evaluate_word_analogies, defaults):")
    print(f"  {'section':30s} {'correct':>7s} / {'covered':<7s} {'acc':>7s}  in file")
    for s in sections:
        c, i = len(s["correct"]), len(s["incorrect"])
        n = c + i
        infile = total_q.get(s["section"], sum(total_q.values()))
        res["analogy"]["sections"].append(
            {"section": s["section"], "correct": c, "covered": n, "in_file": infile})
        acc = f"{100.0 * c / n:6.1f}%" if n else "    -  "
        print(f"  {s['section']:30s} {c:7d} / {n:<7d} {acc}  {infile}")
    print(f"  overall accuracy {score:.6f}")

    # --- word pairs
    res["pairs"] = {}
    print("\nword pairs (evaluate_word_pairs, defaults):")
    for name in ("wordsim353.tsv", "simlex999.txt"):
        (pear, _), (spear, _), oov = kv.evaluate_word_pairs(os.path.join(args.eval_dir, name))
        res["pairs"][name] = {"pearson": float(pear), "spearman": float(spear), "oov_percent": float(oov)}
        print(f"  {name:16s} Pearson {pear:.6f}  Spearman {spear:.6f}  OOV {oov:.2f}%")

    # --- neighbours
    res["neighbours"] = {}
    print(f"\nmost_similar(word, topn={args.topn}):")
    for w in NEIGHBOUR_WORDS:
        if w not in kv.key_to_index:
            print(f"  {w}: not in vocabulary")
            continue
        sims = kv.most_similar(w, topn=args.topn)
        res["neighbours"][w] = [[x, float(y)] for x, y in sims]
        print(f"  {w}: " + ", ".join(f"{x} {y:.6f}" for x, y in sims))

    # --- king - man + woman
    print("\nking - man + woman:")
    for method in ("most_similar", "most_similar_cosmul"):
        sims = getattr(kv, method)(positive=["king", "woman"], negative=["man"], topn=args.topn)
        res[method + "_king_woman_man"] = [[x, float(y)] for x, y in sims]
        rank = next((i + 1 for i, (x, _) in enumerate(sims) if x == "queen"), None)
        print(f"  {method}(positive=['king','woman'], negative=['man']): queen rank "
              f"{rank if rank else '>' + str(args.topn)}")
        for i, (x, y) in enumerate(sims, 1):
            print(f"    {i:2d} {x} {y:.6f}")

    if args.json:
        with open(args.json, "w") as f:
            json.dump(res, f, indent=1, ensure_ascii=False)
            f.write("\n")


if __name__ == "__main__":
    sys.exit(main())
