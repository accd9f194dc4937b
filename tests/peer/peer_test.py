#!/usr/bin/python3
"""Peer test: run Debian's gensim 4.2 and embtool on the same vector files and compare their answers.

For every vector file (the bundled data/model.bin, ../shared/data/sample/sample.bin and the gensim test
files in ../shared/data/eval) it loads the file with
``KeyedVectors.load_word2vec_format(path, binary=..., no_header=...)`` and runs embtool (``--json
--exact-case``) on queries picked with a fixed seed:

  info        words, dim, detected format, zero-vector count, min/max norm
  neighbors   ``neighbors W --k N``              vs most_similar(W, topn=N)
  analogy-add ``analogy A B C --method add``     vs most_similar(positive=[A, B], negative=[C])
              (3 distinct words, plus two with a repeated word)
  analogy-mul ``analogy A B C --method mul``     vs most_similar_cosmul(positive=[A, B], negative=[C])
  similar     ``similar A B``                    vs similarity(A, B)
  distance    ``distance A B``                   vs distance(A, B), numpy.linalg.norm(kv[A] - kv[B])
  vector      ``vector W``                       vs kv[W] and key_to_index[W], float32 bit for bit
  unknown     words gensim does not know         -> exit 3, nothing on stdout
  format-flag the same queries with --format/--no-header given explicitly
  limit       ``--limit L``                      vs load_word2vec_format(..., limit=L)   (big files)
  gzip        the file gzipped                   vs gensim on the plain file              (small files)
  store       the file converted to .emb (f16, i8) -> f32/f16/i8 scans, 1/2 threads and a batch of
              words give exactly the original file's answers                        (files <= 64 MB)
  convert     ``convert FILE out.bin`` / ``out.txt`` -> gensim loads them: same keys, same bits (<= 64 MB)
  compute-accuracy ``eval analogies --style word2vec`` -> the report of word2vec's C tool, byte for byte
              (tests/peer/compute_accuracy.py; built from ``npm pack word2vec``)
  eval        ``eval analogies`` / ``eval pairs`` -> gensim's evaluate_word_analogies / _pairs
  zero-norm   zero vectors as queries             -> exit 2 (gensim would answer NaNs)
  refuse      files gensim refuses (pretrained.vec) -> embtool exit 4, nothing on stdout

Besides the real files, three generated files (the same 283 x 16 vocabulary as binary without
newlines, word2vec text and GloVe) hold exact ties, near-ties, a zero vector, words such as '--help',
'--k', '-1.5', non-ASCII words and words differing only in case.

Rule for ranked lists: same words in the same order, every score within 1e-5 (absolute; relative for
the few values above 1: Euclidean distances and 3CosMul scores). Float32 sums are ordered differently in
numpy/BLAS and embtool, so a word may stand at a position whose gensim score differs from that word's
own gensim score by less than 2e-6 (a near-tie: an adjacent swap, or a different word entering at the
k-th position); such positions are accepted and counted as near-ties. Anything else fails with a diff.

Prints a summary per file and ends with the line ``N passed, M failed`` (one count per file x check
kind); exits 0 only if nothing failed.
"""

import argparse
import gzip
import json
import logging
import math
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
import traceback
from concurrent.futures import ThreadPoolExecutor

import compute_accuracy

SCORE_TOL = 1e-5  # absolute tolerance on every score
TIE_TOL = 2e-6  # gensim scores closer than this may come out in either order

DEFAULT_SEED = 20250611
FREQUENT_ROWS = 1000
NON_VECTOR_FILES = {"README.md", "questions-words.txt", "wordsim353.tsv", "simlex999.txt"}
# Files gensim is known to refuse; embtool must refuse them too (exit 4, nothing on stdout).
EXPECTED_REFUSALS = {"pretrained.vec": "EOFError"}
# Files gensim is known to load; failing to load one of them fails the test (other files are skipped).
EXPECTED_LOADABLE = {"euclidean_vectors.bin", "high_precision.kv.bin", "high_precision.kv.txt", "lee_fasttext.vec",
                     "toy-model.vec", "test_glove.txt", "model.bin", "sample.bin"}
MAX_FAILURE_DETAILS = 8  # per check; the rest are only counted


def tol(base, value):
    """base, absolute for |value| <= 1 (every cosine and 3CosAdd score); relative above 1 (Euclidean
    distances, 3CosMul scores up to 1e6): float32 cannot hold 1e-5 absolute there (ulp(1000) = 6e-5)."""
    return base * max(1.0, abs(value))

# --------------------------------------------------------------------------------------------------
# bookkeeping


class Check:
    """One file x check kind."""

    def __init__(self, file_label, kind):
        self.file_label = file_label
        self.kind = kind
        self.compared = 0
        self.near_ties = 0
        self.max_diff = 0.0
        self.failures = []
        self.notes = []

    def diff(self, d):
        if d == d and d > self.max_diff:  # NaN never raises the maximum (it fails elsewhere)
            self.max_diff = d

    def fail(self, message):
        self.failures.append(message)

    @property
    def counted(self):
        return self.compared > 0 or bool(self.failures)

    @property
    def ok(self):
        return not self.failures


class Report:
    def __init__(self):
        self.checks = []

    def new(self, file_label, kind):
        c = Check(file_label, kind)
        self.checks.append(c)
        return c

    def print_file(self, file_label, header):
        checks = [c for c in self.checks if c.file_label == file_label]
        print(header)
        compared = ties = 0
        maxd = 0.0
        for c in checks:
            if not c.counted:
                if c.notes:
                    print(f"  {c.kind:<12} n/a   {'; '.join(c.notes)}")
                continue
            compared += c.compared
            ties += c.near_ties
            maxd = max(maxd, c.max_diff)
            status = "ok  " if c.ok else "FAIL"
            extra = f", {c.near_ties} near-tie(s) accepted" if c.near_ties else ""
            notes = f"  [{'; '.join(c.notes)}]" if c.notes else ""
            print(f"  {c.kind:<12} {status}  {c.compared} compared{extra}, max |diff| {c.max_diff:.2e}{notes}")
            for msg in c.failures[:MAX_FAILURE_DETAILS]:
                print("    " + msg.replace("\n", "\n    "))
            if len(c.failures) > MAX_FAILURE_DETAILS:
                print(f"    ... and {len(c.failures) - MAX_FAILURE_DETAILS} more failure(s) in this check")
        print(f"  summary: {compared} queries compared, {ties} near-tie(s) accepted, "
              f"max score difference {maxd:.2e}")
        sys.stdout.flush()

    def totals(self):
        counted = [c for c in self.checks if c.counted]
        passed = sum(1 for c in counted if c.ok)
        return passed, len(counted) - passed


# --------------------------------------------------------------------------------------------------
# running embtool


class Result:
    def __init__(self, argv, rc, out, err):
        self.argv = argv
        self.rc = rc
        self.out = out
        self.err = err
        self._doc = None

    def cmdline(self):
        def q(a):
            return a if a and all(ch.isalnum() or ch in "-_./:=+" for ch in a) else repr(a)
        return " ".join(q(a) for a in self.argv)

    def doc(self):
        """The JSON document on stdout (one line); raises ValueError with a readable reason."""
        if self._doc is None:
            if self.rc != 0:
                raise ValueError(f"exit {self.rc}, stderr: {self.err.strip()!r}")
            lines = self.out.splitlines()
            if len(lines) != 1:
                raise ValueError(f"expected one line of JSON on stdout, got {len(lines)}: {self.out[:300]!r}")
            # keep '-0' as -0.0 (json would make it the integer 0 and lose the sign)
            self._doc = json.loads(lines[0], parse_int=lambda s: -0.0 if s == "-0" else int(s))
        return self._doc


class Embtool:
    def __init__(self, exe, jobs):
        self.exe = exe
        self.pool = ThreadPoolExecutor(max_workers=jobs)
        self.calls = 0
        self.env = dict(os.environ)
        self.env.pop("EMBTOOL_MODEL", None)

    def submit(self, model, command, words=(), opts=(), global_opts=()):
        argv = [self.exe, "-m", model, "--json", "-q", "--exact-case", *global_opts, command, *opts]
        if words:
            argv += ["--", *words]  # words may start with '-'
        self.calls += 1
        return self.pool.submit(self._run, argv)

    def submit_argv(self, argv):
        """Runs exactly `argv` (no options added)."""
        self.calls += 1
        return self.pool.submit(self._run, argv)

    def _run(self, argv):
        bargv = [a.encode("utf-8") for a in argv]  # independent of the locale
        try:
            p = subprocess.run(bargv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=self.env, timeout=300)
        except subprocess.TimeoutExpired:
            return Result(argv, -1, "", "timed out after 300 s")
        return Result(argv, p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace"))

    def shutdown(self):
        self.pool.shutdown(wait=True)


# --------------------------------------------------------------------------------------------------
# files


def sniff_format(path):
    """'word2vec-binary', 'word2vec-text', 'glove', or None if it does not look like a vector file."""
    opener = gzip.open if path.endswith(".gz") else open
    try:
        with opener(path, "rb") as f:
            head = f.read(1 << 16)
    except OSError:
        return None
    nl = head.find(b"\n")
    first = head if nl < 0 else head[:nl]
    parts = first.split()
    if len(parts) == 2 and all(p.isdigit() for p in parts):
        rest = head[nl + 1:] if nl >= 0 else b""
        # text if the next bytes are printable UTF-8 (allowing a character cut at the end)
        try:
            text = rest.decode("utf-8")
        except UnicodeDecodeError as e:
            if e.start < len(rest) - 4:
                return "word2vec-binary"
            text = rest[:e.start].decode("utf-8")
        if any(ord(ch) < 32 and ch not in "\n\r\t" for ch in text):
            return "word2vec-binary"
        return "word2vec-text"
    if len(parts) >= 2:
        try:
            first.decode("utf-8")
            [float(x) for x in parts[1:]]
            return "glove"
        except ValueError:
            return None
    return None


class Model:
    """A file loaded by gensim plus what the test needs to know about it."""

    def __init__(self, path, label, fmt, kv, load_seconds):
        import numpy as np

        self.path = path
        self.label = label
        self.fmt = fmt
        self.kv = kv
        self.load_seconds = load_seconds
        self.V = len(kv)
        self.dim = kv.vector_size
        self.norms = np.linalg.norm(kv.vectors.astype(np.float64), axis=1)
        self.words = list(kv.index_to_key)
        self.zero_rows = [i for i in range(self.V) if self.norms[i] == 0]
        self.unpassable = [i for i, w in enumerate(self.words) if not w or "\0" in w]
        bad = set(self.zero_rows) | set(self.unpassable)
        self.usable = [i for i in range(self.V) if i not in bad]
        self.special_rows = []  # always queried (generated files: one word of each tie group)


def load_gensim(path, fmt, limit=None):
    from gensim.models import KeyedVectors

    kwargs = dict(binary=(fmt == "word2vec-binary"), no_header=(fmt == "glove"))
    if limit is not None:
        kwargs["limit"] = limit
    return KeyedVectors.load_word2vec_format(path, **kwargs)


# --------------------------------------------------------------------------------------------------
# query selection


def pick_rows(rng, model, n, pool=None):
    """n distinct usable rows: about half from the first FREQUENT_ROWS rows, the rest from anywhere."""
    usable = model.usable if pool is None else pool
    if n >= len(usable):
        rows = list(usable)
        rng.shuffle(rows)
        return rows
    frequent = [r for r in usable if r < FREQUENT_ROWS]
    chosen = []
    seen = set()
    want_frequent = n // 2
    while len(chosen) < want_frequent and len(seen) < len(frequent):
        r = rng.choice(frequent)
        if r not in seen:
            seen.add(r)
            chosen.append(r)
    while len(chosen) < n:
        r = rng.choice(usable)
        if r not in seen:
            seen.add(r)
            chosen.append(r)
    return chosen


def pick_tuples(rng, model, n, size, distinct=True, pool=None):
    """n distinct tuples of `size` usable rows (distinct within a tuple if asked), frequent/random mix."""
    usable = model.usable if pool is None else pool
    if distinct and len(usable) < size:
        return []
    frequent = [r for r in usable if r < FREQUENT_ROWS] or usable
    out, seen = [], set()
    attempts = 0
    while len(out) < n and attempts < 50 * n + 1000:
        attempts += 1
        src = frequent if (len(out) % 2 == 0 and len(frequent) >= size) else usable
        t = tuple(rng.choice(src) for _ in range(size))
        if distinct and len(set(t)) != size:
            continue
        if t in seen:
            continue
        seen.add(t)
        out.append(t)
    return out


def dash_rows(model):
    return [r for r in model.usable if model.words[r].startswith("-")]


# --------------------------------------------------------------------------------------------------
# comparisons


def fmt_list(pairs, n):
    return ", ".join(f"{w} {s:.7f}" for w, s in pairs[:n])


def compare_ranked(check, label, g_top, g_scores, key_to_index, excluded, expected_len, e_doc_results):
    """Compare embtool's ranked results with gensim's.

    g_top: gensim's ranking [(word, score)], at least expected_len long when available.
    g_scores: gensim's score for every row (the array most_similar(..., topn=None) returns).
    """
    e = [(r.get("word"), r.get("score")) for r in e_doc_results]
    problems = []
    ties = 0
    if len(e) != expected_len:
        problems.append(f"embtool returned {len(e)} results, gensim {expected_len}")
    seen = set()
    prev = None
    for i, (w, s) in enumerate(e):
        r = e_doc_results[i]
        if r.get("rank") != i + 1:
            problems.append(f"position {i + 1}: rank field is {r.get('rank')!r}")
        if not isinstance(s, (int, float)):
            problems.append(f"position {i + 1}: score {s!r} is not a number")
            continue
        if w in seen:
            problems.append(f"position {i + 1}: {w!r} returned twice")
        seen.add(w)
        if w in excluded:
            problems.append(f"position {i + 1}: query word {w!r} returned")
        if prev is not None and s > prev:
            problems.append(f"position {i + 1}: score {s} above the previous one {prev}")
        prev = s
        idx = key_to_index.get(w)
        if idx is None:
            problems.append(f"position {i + 1}: {w!r} is not in gensim's vocabulary")
            continue
        gs = float(g_scores[idx])
        d = abs(s - gs)
        check.diff(d)
        if not d <= tol(SCORE_TOL, gs):
            problems.append(f"position {i + 1}: {w!r} score {s} vs gensim {gs:.9g} (|diff| {d:.2e})")
        if i < len(g_top) and w != g_top[i][0]:
            gap = abs(gs - g_top[i][1])
            if gap < tol(TIE_TOL, g_top[i][1]):
                ties += 1
            else:
                problems.append(f"position {i + 1}: embtool {w!r} ({gs:.9g} in gensim), gensim {g_top[i][0]!r} "
                                f"({g_top[i][1]:.9g}): gensim scores differ by {gap:.2e} >= {TIE_TOL:g}")
        elif i >= len(g_top):
            problems.append(f"position {i + 1}: {w!r} beyond gensim's {len(g_top)} results")
    check.compared += 1
    if problems:
        n = max(expected_len, len(e))
        check.fail(f"{label}: " + "; ".join(problems[:6]) + (" ..." if len(problems) > 6 else "")
                   + f"\n  gensim : {fmt_list(g_top, n)}\n  embtool: {fmt_list(e, n)}")
    else:
        check.near_ties += ties


def doc_or_fail(check, label, fut, expect):
    res = fut.result()
    try:
        doc = res.doc()
    except ValueError as e:
        check.compared += 1
        check.fail(f"{label}: embtool failed: {e}\n  command: {res.cmdline()}")
        return None
    for k, v in expect.items():
        if doc.get(k) != v:
            check.compared += 1
            check.fail(f"{label}: field {k!r} is {doc.get(k)!r}, expected {v!r}\n  command: {res.cmdline()}")
            return None
    return doc


def close(check, label, name, e_value, g_value):
    if not isinstance(e_value, (int, float)):
        check.fail(f"{label}: {name} is {e_value!r}, gensim {g_value:.9g}")
        return False
    d = abs(e_value - g_value)
    check.diff(d)
    if not d <= tol(SCORE_TOL, g_value):
        check.fail(f"{label}: {name} embtool {e_value} vs gensim {g_value:.9g} (|diff| {d:.2e})")
        return False
    return True


# --------------------------------------------------------------------------------------------------
# the checks of one file


class FileTest:
    def __init__(self, args, report, embtool, model, rng):
        self.args = args
        self.report = report
        self.embtool = embtool
        self.m = model
        self.rng = rng
        self.jobs = []  # (kind, label, future, compare function)

    def q(self, kind, label, fut, fn):
        self.jobs.append((kind, label, fut, fn))

    # -- ranked queries ---------------------------------------------------------------------------

    def neighbors_job(self, kind, row, k, model=None, path=None, global_opts=()):
        m = model or self.m
        w = m.words[row]
        fut = self.embtool.submit(path or m.path, "neighbors", [w], ["--k", str(k)], global_opts)
        expected_len = min(k, m.V - 1 - len(m.zero_rows))

        def fn(check, label, fut=fut, w=w, k=k, m=m, expected_len=expected_len):
            doc = doc_or_fail(check, label, fut, {"command": "neighbors", "word": w, "k": k})
            if doc is None:
                return
            kv = m.kv
            g_top = kv.most_similar(w, topn=k + 5)
            g_scores = kv.most_similar(w, topn=None)
            compare_ranked(check, label, g_top, g_scores, kv.key_to_index, {w}, expected_len, doc.get("results", []))

        self.q(kind, f"neighbors {w!r} --k {k}", fut, fn)

    def analogy_job(self, kind, rows, k, method, model=None, path=None, global_opts=()):
        m = model or self.m
        a, b, c = (m.words[r] for r in rows)
        fut = self.embtool.submit(path or m.path, "analogy", [a, b, c], ["--k", str(k), "--method", method], global_opts)
        expected_len = min(k, m.V - len(set(rows)) - len(m.zero_rows))

        def fn(check, label, fut=fut, a=a, b=b, c=c, k=k, m=m, expected_len=expected_len):
            doc = doc_or_fail(check, label, fut, {"command": "analogy", "a": a, "b": b, "c": c, "method": method, "k": k})
            if doc is None:
                return
            kv = m.kv
            f = kv.most_similar if method == "add" else kv.most_similar_cosmul
            g_top = f(positive=[a, b], negative=[c], topn=k + 5)
            g_scores = f(positive=[a, b], negative=[c], topn=None)
            compare_ranked(check, label, g_top, g_scores, kv.key_to_index, {a, b, c}, expected_len,
                           doc.get("results", []))

        self.q(kind, f"analogy {a!r} {b!r} {c!r} --method {method} --k {k}", fut, fn)

    # -- gensim's remaining questions -------------------------------------------------------------

    def gensim_questions(self):
        """--restrict (restrict_vocab), --exclude/--min-score, --metric euclidean, rank, closer-than,
        n-similarity, similar-by-vector and vector --normalize, each against gensim."""
        import numpy as np

        m, rng, V, kv = self.m, self.rng, self.m.V, self.m.kv
        if V < 40 or len(m.usable) < 40:
            return
        restrict = V // 4
        beyond = [r for r in m.usable if r >= restrict]
        for r in pick_rows(rng, m, 4, pool=beyond) + pick_rows(rng, m, 2):
            w = m.words[r]
            fut = self.embtool.submit(m.path, "neighbors", [w], ["--k", "10", "--restrict", str(restrict)])

            def fn(check, label, fut=fut, w=w):
                doc = doc_or_fail(check, label, fut, {"command": "neighbors", "word": w})
                if doc is not None:
                    g_top = kv.most_similar(w, topn=15, restrict_vocab=restrict)
                    g_scores = kv.most_similar(w, topn=None, restrict_vocab=restrict)
                    scores = np.full(V, np.nan, dtype=np.float64)
                    scores[:restrict] = g_scores
                    ids = [r.get("id", 0) for r in doc.get("results", [])]
                    if any(i >= restrict for i in ids):
                        check.fail(f"{label}: an answer beyond row {restrict}")
                    compare_ranked(check, label, g_top, scores, kv.key_to_index, {w}, min(10, len(g_top)),
                                   doc.get("results", []))
            self.q("restrict", f"neighbors {w!r} --restrict {restrict}", fut, fn)

        for r in pick_rows(rng, m, 4):
            w = m.words[r]
            near = [x for x, _ in kv.most_similar(w, topn=4)]
            excluded = near[1:3]
            top = kv.most_similar(w, topn=9)
            floor = (float(top[-2][1]) + float(top[-1][1])) / 2  # between two scores: no rounding decides
            options = ["--k", "10", "--min-score", repr(floor)]
            for x in excluded:
                options += ["--exclude", x]
            fut = self.embtool.submit(m.path, "neighbors", [w], options)

            def fn(check, label, fut=fut, w=w, excluded=excluded, floor=floor):
                doc = doc_or_fail(check, label, fut, {"command": "neighbors", "word": w})
                if doc is not None:
                    g_top = [(x, sc) for x, sc in kv.most_similar(w, topn=12) if x not in excluded and sc >= floor][:10]
                    compare_ranked(check, label, g_top, kv.most_similar(w, topn=None), kv.key_to_index,
                                   {w, *excluded}, len(g_top), doc.get("results", []))
            self.q("exclude-min-score", f"neighbors {w!r} --exclude {excluded} --min-score {floor:.6g}", fut, fn)

        for r in pick_rows(rng, m, 4):
            w = m.words[r]
            fut = self.embtool.submit(m.path, "neighbors", [w], ["--k", "10", "--metric", "euclidean"])

            def fn(check, label, fut=fut, w=w, r=r):
                doc = doc_or_fail(check, label, fut, {"command": "neighbors", "word": w, "metric": "euclidean"})
                if doc is not None:
                    d = np.linalg.norm(kv.vectors - kv.vectors[r], axis=1).astype(np.float64)
                    d[r] = np.inf
                    order = np.argsort(d, kind="stable")[:10]
                    g_top = [(kv.index_to_key[i], -float(d[i])) for i in order]
                    negated = [dict(x, score=-x["score"]) for x in doc.get("results", [])]
                    compare_ranked(check, label, g_top, -d, kv.key_to_index, {w}, 10, negated)
            self.q("euclidean", f"neighbors {w!r} --metric euclidean", fut, fn)

        for a in pick_rows(rng, m, 5):
            wa = m.words[a]
            wb = kv.most_similar(wa, topn=20)[-1][0] if a % 5 else m.words[pick_rows(rng, m, 1)[0]]
            if wb == wa:
                continue
            fut_rank = self.embtool.submit(m.path, "rank", [wa, wb])
            fut_closer = self.embtool.submit(m.path, "closer-than", [wa, wb])

            def fn(check, label, fut=fut_closer, fut_rank=fut_rank, wa=wa, wb=wb):
                doc = doc_or_fail(check, label, fut, {"command": "closer-than"})
                rank_doc = doc_or_fail(check, label, fut_rank, {"command": "rank"})
                if doc is None or rank_doc is None:
                    return
                check.compared += 1
                distances = kv.distances(wa).astype(np.float64)
                threshold = distances[kv.key_to_index[wb]]
                borderline = {i for i in np.where(np.abs(distances - threshold) <= 2e-6)[0]}
                g_set = {kv.key_to_index[x] for x in kv.closer_than(wa, wb)}
                e_set = {x["id"] for x in doc.get("words", [])}
                if (e_set ^ g_set) - borderline:
                    check.fail(f"{label}: {len(e_set - g_set)} word(s) only embtool's, {len(g_set - e_set)} only gensim's")
                if abs(rank_doc.get("rank", 0) - kv.rank(wa, wb)) > len(borderline):
                    check.fail(f"{label}: rank {rank_doc.get('rank')} vs gensim {kv.rank(wa, wb)}")
                if [x["id"] for x in doc.get("words", [])] != sorted(e_set):
                    check.fail(f"{label}: not in row order, as gensim lists them")
            self.q("rank-closer-than", f"closer-than/rank {wa!r} {wb!r}", fut_closer, fn)

        for rows in pick_tuples(rng, m, 5, 5):
            set_a, set_b = [m.words[r] for r in rows[:2]], [m.words[r] for r in rows[2:]]
            if any("," in x for x in set_a + set_b):
                continue
            fut = self.embtool.submit(m.path, "n-similarity", [",".join(set_a), ",".join(set_b)])

            def fn(check, label, fut=fut, set_a=set_a, set_b=set_b):
                doc = doc_or_fail(check, label, fut, {"command": "n-similarity", "a": set_a, "b": set_b})
                if doc is not None:
                    check.compared += 1
                    close(check, label, "similarity", doc.get("similarity"), float(kv.n_similarity(set_a, set_b)))
            self.q("n-similarity", f"n-similarity {set_a} {set_b}", fut, fn)

        for r in pick_rows(rng, m, 3):
            vec = (kv.vectors[r] * np.float32(1.5) + kv.vectors[(r + 1) % V]).astype(np.float32)
            fd, path = tempfile.mkstemp(prefix="embtool-vector-", suffix=".txt")
            with os.fdopen(fd, "w") as f:
                f.write(" ".join(repr(float(x)) for x in vec) + "\n")
            fut = self.embtool.submit_argv([self.embtool.exe, "-m", m.path, "--json", "-q", "similar-by-vector", path,
                                            "--k", "10"])

            def fn(check, label, fut=fut, vec=vec, path=path):
                doc = doc_or_fail(check, label, fut, {"command": "similar-by-vector"})
                os.unlink(path)
                if doc is not None:
                    compare_ranked(check, label, kv.similar_by_vector(vec, topn=15),
                                   kv.most_similar(positive=[vec], topn=None), kv.key_to_index, set(), 10,
                                   doc.get("results", []))
            self.q("similar-by-vector", f"similar-by-vector (row {r} x 1.5 + row {(r + 1) % V})", fut, fn)

        for r in pick_rows(rng, m, 3):
            w = m.words[r]
            fut = self.embtool.submit(m.path, "vector", [w], ["--normalize"])

            def fn(check, label, fut=fut, w=w):
                doc = doc_or_fail(check, label, fut, {"command": "vector", "word": w, "normalized": True})
                if doc is not None:
                    check.compared += 1
                    g = kv.get_vector(w, norm=True).astype(np.float64)
                    e = np.array(doc.get("vector", []), dtype=np.float64)
                    d = float(np.max(np.abs(e - g))) if e.shape == g.shape else float("inf")
                    check.diff(d)
                    if not d <= 1e-6:
                        check.fail(f"{label}: differs from get_vector(norm=True) by {d:.2e}")
            self.q("vector-normalize", f"vector {w!r} --normalize", fut, fn)

    # -- the plan -----------------------------------------------------------------------------------

    def plan(self):
        m, rng, V = self.m, self.rng, self.m.V
        sc = self.args.scale
        # topn=10; tiny vocabularies: the whole ranking
        k_nb = V - 1 if V <= 50 else 10
        k_an = V - 3 if V <= 50 else 10

        self.gensim_questions()

        # info
        fut = self.embtool.submit(m.path, "info")
        self.q("info", "info", fut, self.cmp_info)

        # neighbors: 50 picked rows (+ words starting with '-', + a few other k)
        if k_nb >= 1:
            rows = pick_rows(rng, m, 50 * sc)
            extra = [r for r in dict.fromkeys(dash_rows(m)[:3] + m.special_rows) if r not in rows]
            for r in rows + extra:
                self.neighbors_job("neighbors", r, k_nb)
            ks = [1, 3, 25, 100] + ([V + 5] if V <= 300 else [])
            for k, r in zip(ks, pick_rows(rng, m, len(ks))):
                self.neighbors_job("neighbors", r, k)

        # analogies: 20 distinct triples per method
        if k_an >= 1:
            for method in ("add", "mul"):
                for t in pick_tuples(rng, m, 20 * sc, 3):
                    self.analogy_job("analogy-" + method, t, k_an, method)
                # a repeated input word (gensim takes the list as given; embtool must agree)
                for x, y in pick_tuples(rng, m, 1, 2):
                    self.analogy_job("analogy-" + method, (x, x, y), k_an, method)
                    self.analogy_job("analogy-" + method, (x, y, y), k_an, method)
                if "king" in m.kv.key_to_index and "woman" in m.kv.key_to_index and "man" in m.kv.key_to_index:
                    t = tuple(m.kv.key_to_index[w] for w in ("king", "woman", "man"))
                    self.analogy_job("analogy-" + method, t, k_an, method)

        # similar / distance: 50 pairs each (all ordered pairs when the vocabulary is tiny), 2 self-pairs
        for kind in ("similar", "distance"):
            if len(m.usable) ** 2 <= 50 * sc:
                pairs = [(a, b) for a in m.usable for b in m.usable]
            else:
                pairs = pick_tuples(rng, m, 48 * sc, 2) + [(r, r) for r in pick_rows(rng, m, 2)]
            for a, b in pairs:
                wa, wb = m.words[a], m.words[b]
                fut = self.embtool.submit(m.path, kind, [wa, wb])
                self.q(kind, f"{kind} {wa!r} {wb!r}", fut,
                       self.cmp_similar if kind == "similar" else self.cmp_distance)
                self.jobs[-1] = self.jobs[-1] + ((wa, wb),)

        # vector rows: all of a small vocabulary, else the first, the last and a few random ones
        rows = range(V) if V <= 100 else dict.fromkeys([0, V - 1] + pick_rows(rng, m, 4 * sc))
        for r in rows:
            w = m.words[r]
            if not w or "\0" in w:
                continue
            fut = self.embtool.submit(m.path, "vector", [w])
            self.q("vector", f"vector {w!r}", fut, self.cmp_vector)
            self.jobs[-1] = self.jobs[-1] + ((w,),)

        # unknown words: exit 3, nothing on stdout
        probes = []
        for cand in ["zz-not-a-word-%d" % i for i in range(100)]:
            if cand not in m.kv.key_to_index:
                probes.append(("neighbors", [cand], ["--k", "3"]))
                break
        for r in pick_rows(rng, m, min(V, 40)):
            w = m.words[r]
            for variant in (w.upper(), w.capitalize(), w.lower()):
                if variant != w and variant not in m.kv.key_to_index:
                    probes.append(("similar", [m.words[r], variant], []))
                    break
            if len(probes) >= 3:
                break
        for cmd, words, opts in probes:
            fut = self.embtool.submit(m.path, cmd, words, opts)
            self.q("unknown", f"{cmd} {' '.join(map(repr, words))}", fut, self.cmp_unknown)

        # zero-norm words: embtool refuses them as queries (exit 2); gensim would answer with NaNs
        for r in m.zero_rows[:2]:
            fut = self.embtool.submit(m.path, "neighbors", [m.words[r]], ["--k", "3"])
            self.q("zero-norm", f"neighbors {m.words[r]!r}", fut, self.cmp_zero)
        # ... but similar/distance answer as gensim does: similarity 0, Euclidean distance as usual
        for r in m.zero_rows[:1]:
            for kind in ("similar", "distance"):
                wa, wb = m.words[r], m.words[m.usable[0]]
                fut = self.embtool.submit(m.path, kind, [wa, wb])
                self.q(kind, f"{kind} {wa!r} {wb!r} (a zero vector)", fut,
                       self.cmp_similar if kind == "similar" else self.cmp_distance)
                self.jobs[-1] = self.jobs[-1] + ((wa, wb),)

        # explicit format flags
        flags = {"word2vec-binary": [["--format", "word2vec-binary"]],
                 "word2vec-text": [["--format", "word2vec-text"]],
                 "glove": [["--format", "glove"], ["--no-header"]]}[m.fmt]
        if k_nb >= 1:
            for flag in flags:
                for r in pick_rows(rng, m, 3):
                    self.neighbors_job("format-flag", r, k_nb, global_opts=flag)

    # -- comparisons of the simple commands ------------------------------------------------------

    def cmp_info(self, check, label, fut):
        doc = doc_or_fail(check, label, fut, {"command": "info"})
        if doc is None:
            return
        m = self.m
        check.compared += 1
        want = {"words": m.V, "dim": m.dim, "format": m.fmt, "zero_vectors": len(m.zero_rows)}
        for k, v in want.items():
            if doc.get(k) != v:
                check.fail(f"info: {k} is {doc.get(k)!r}, gensim says {v!r}")
        nz = [n for n in m.norms if n > 0]
        if nz:
            for name, g in (("norm_min", min(m.norms)), ("norm_max", max(nz))):
                e = doc.get(name)
                if not isinstance(e, (int, float)) or abs(e - g) > SCORE_TOL * max(1.0, g):
                    check.fail(f"info: {name} is {e!r}, gensim/numpy {g:.9g}")

    def cmp_similar(self, check, label, fut, pair):
        a, b = pair
        doc = doc_or_fail(check, label, fut, {"command": "similar", "a": a, "b": b})
        if doc is None:
            return
        check.compared += 1
        close(check, label, "similarity", doc.get("similarity"), float(self.m.kv.similarity(a, b)))

    def cmp_distance(self, check, label, fut, pair):
        import numpy as np

        a, b = pair
        doc = doc_or_fail(check, label, fut, {"command": "distance", "a": a, "b": b})
        if doc is None:
            return
        kv = self.m.kv
        check.compared += 1
        close(check, label, "cosine_distance", doc.get("cosine_distance"), float(kv.distance(a, b)))
        close(check, label, "euclidean_distance", doc.get("euclidean_distance"), float(np.linalg.norm(kv[a] - kv[b])))

    def cmp_vector(self, check, label, fut, word):
        import numpy as np

        (w,) = word
        kv = self.m.kv
        doc = doc_or_fail(check, label, fut, {"command": "vector", "word": w})
        if doc is None:
            return
        check.compared += 1
        row = kv.key_to_index[w]
        if doc.get("row") != row or doc.get("dim") != kv.vector_size:
            check.fail(f"{label}: row/dim {doc.get('row')!r}/{doc.get('dim')!r}, gensim {row}/{kv.vector_size}")
            return
        vec = doc.get("vector")
        if not isinstance(vec, list) or len(vec) != kv.vector_size:
            check.fail(f"{label}: vector has {len(vec) if isinstance(vec, list) else vec!r} values, gensim {kv.vector_size}")
            return
        e = np.array([float(x) for x in vec], dtype=np.float64).astype(np.float32)
        g = np.asarray(kv.vectors[row], dtype=np.float32)
        bad = np.nonzero(e.view(np.uint32) != g.view(np.uint32))[0]
        if len(bad):
            i = int(bad[0])
            check.fail(f"{label}: {len(bad)} of {len(e)} values differ bit-wise; first at [{i}]: "
                       f"embtool {vec[i]!r} ({e[i].view(np.uint32):#010x}), gensim {g[i]!r} "
                       f"({g[i].view(np.uint32):#010x})")

    def cmp_zero(self, check, label, fut):
        res = fut.result()
        check.compared += 1
        if res.rc != 2 or res.out != "" or len(res.err.strip().splitlines()) != 1:
            check.fail(f"{label} (a zero vector): expected exit 2, empty stdout and one line on stderr; got exit "
                       f"{res.rc}, stdout {res.out[:200]!r}, stderr {res.err[:300]!r}\n  command: {res.cmdline()}")

    def cmp_unknown(self, check, label, fut):
        res = fut.result()
        check.compared += 1
        if res.rc != 3 or res.out != "" or len(res.err.strip().splitlines()) != 1:
            check.fail(f"{label}: expected exit 3, empty stdout and one line on stderr; got exit {res.rc}, "
                       f"stdout {res.out[:200]!r}, stderr {res.err[:300]!r}\n  command: {res.cmdline()}")

    # -- run --------------------------------------------------------------------------------------

    def run(self):
        checks = {}
        for job in self.jobs:
            kind, label, fut, fn = job[:4]
            extra = job[4:]
            check = checks.get(kind)
            if check is None:
                check = checks[kind] = self.report.new(self.m.label, kind)
            fn(check, label, fut, *extra) if extra else fn(check, label, fut)
        return checks


def run_limit_check(args, report, embtool, model, rng):
    """--limit L against gensim's limit=L (the first L rows only)."""
    m = model
    if m.V < 2000:
        return
    L = 5000 if m.V > 20000 else 1000
    t0 = time.time()
    kv = load_gensim(m.path, m.fmt, limit=L)
    lm = Model(m.path, m.label, m.fmt, kv, time.time() - t0)
    ft = FileTest(args, report, embtool, lm, rng)
    opt = ["--limit", str(L)]
    for r in pick_rows(rng, lm, 15):
        ft.neighbors_job("limit", r, 10, global_opts=opt)
    for method in ("add", "mul"):
        for t in pick_tuples(rng, lm, 5, 3):
            ft.analogy_job("limit", t, 10, method, global_opts=opt)
    checks = ft.run()
    if "limit" in checks:
        checks["limit"].notes.append(f"--limit {L} vs gensim limit={L}")


def run_gzip_check(args, report, embtool, model, rng, tmpdir):
    """The file gzipped (embtool reads .gz) against gensim on the plain file."""
    m = model
    if os.path.getsize(m.path) > 8 << 20 or m.path.endswith(".gz"):
        return
    gz = os.path.join(tmpdir, os.path.basename(m.path) + ".gz")
    with open(m.path, "rb") as src, gzip.open(gz, "wb", compresslevel=6) as dst:
        shutil.copyfileobj(src, dst)
    ft = FileTest(args, report, embtool, m, rng)
    k = min(10, m.V - 1 - len(m.zero_rows))
    if k >= 1:
        for r in pick_rows(rng, m, 8):
            ft.neighbors_job("gzip", r, k, path=gz)
    if m.V >= 4:
        for method in ("add", "mul"):
            for t in pick_tuples(rng, m, 3, 3):
                ft.analogy_job("gzip", t, min(10, m.V - 3), method, path=gz)
    checks = ft.run()
    if "gzip" in checks:
        checks["gzip"].notes.append("embtool on a gzipped copy")


def run_store_check(args, report, embtool, model, rng, tmpdir):
    """The file converted to a store with float16 and int8 copies: every scan choice and thread
    count, and a batch of words, must give exactly the answers of the original file (and so
    agree with gensim)."""
    m = model
    if os.path.getsize(m.path) > 64 << 20 or m.V < 8:
        return
    store = os.path.join(tmpdir, os.path.basename(m.path) + ".emb")
    conv = embtool.submit(m.path, "convert", [m.path, store], ["--dtype", "f16,i8", "--force"]).result()
    check = report.new(m.label, "store")
    if conv.rc != 0:
        check.compared += 1
        check.fail(f"convert failed: exit {conv.rc}, stderr {conv.err[:300]!r}\n  command: {conv.cmdline()}")
        return
    k = min(10, m.V - 1 - len(m.zero_rows))
    rows = pick_rows(rng, m, 8)
    words = [m.words[r] for r in rows]
    base = {w: embtool.submit(m.path, "neighbors", [w], ["--k", str(k)]) for w in words}
    triples = [tuple(m.words[r] for r in t) for t in pick_tuples(rng, m, 3, 3)] if m.V >= 4 else []
    base_analogy = {(t, meth): embtool.submit(m.path, "analogy", list(t), ["--k", str(k), "--method", meth])
                    for t in triples for meth in ("add", "mul")}
    variants = [["--scan-dtype", d, "--threads", t] for d in ("f32", "f16", "i8") for t in ("1", "2")]
    jobs = []
    for opts in variants:
        for w in words:
            jobs.append((f"neighbors {w!r} {' '.join(opts)}", base[w],
                         embtool.submit(store, "neighbors", [w], ["--k", str(k)], opts)))
        for (t, meth), fut in base_analogy.items():
            jobs.append((f"analogy {t!r} --method {meth} {' '.join(opts)}", fut,
                         embtool.submit(store, "analogy", list(t), ["--k", str(k), "--method", meth], opts)))
    batch = embtool.submit(store, "neighbors", words * 2, ["--k", str(k)])  # >= 4 words: batched
    for label, want, got in jobs:
        check.compared += 1
        w, g = want.result(), got.result()
        if g.rc != 0 or g.out != w.out:
            check.fail(f"{label}: store answer differs from the original file's\n  command: {g.cmdline()}\n"
                       f"  got {g.out[:300]!r}\n  want {w.out[:300]!r}")
    check.compared += 1
    b = batch.result()
    want = "".join(base[w].result().out for w in words * 2)
    if b.rc != 0 or b.out != want:
        check.fail(f"batch of {len(words) * 2} words differs from single queries\n  command: {b.cmdline()}")
    check.notes.append("f32/f16/i8 scans x 1/2 threads and a batch, equal to the original file's answers")


def run_convert_check(args, report, embtool, model, tmpdir):
    """embtool convert to word2vec binary and text: gensim loads what embtool wrote and finds
    the original file's keys in order and every vector bit for bit."""
    import numpy as np

    m = model
    if os.path.getsize(m.path) > 64 << 20:
        return
    check = report.new(m.label, "convert")
    for suffix, binary in ((".w2v.bin", True), (".w2v.txt", False)):
        out = os.path.join(tmpdir, os.path.basename(m.path) + suffix)
        res = embtool.submit_argv([embtool.exe, "-m", m.path, "-q", "convert", "--force", m.path, out]).result()
        check.compared += 1
        if res.rc != 0:
            check.fail(f"convert to {suffix}: exit {res.rc}: {res.err[:300]}\n  command: {res.cmdline()}")
            continue
        try:
            kv = load_gensim(out, "word2vec-binary" if binary else "word2vec-text")
        except Exception as e:  # noqa: BLE001
            check.fail(f"gensim cannot load embtool's {suffix}: {type(e).__name__}: {e}")
            continue
        same_keys = list(kv.index_to_key) == list(m.kv.index_to_key)
        same_bits = kv.vectors.shape == m.kv.vectors.shape and np.array_equal(
            kv.vectors.view(np.uint32), m.kv.vectors.view(np.uint32))
        if not (same_keys and same_bits):
            check.fail(f"gensim reads embtool's {suffix} differently from the original: keys equal {same_keys}, "
                       f"vectors bit-equal {same_bits}\n  command: {res.cmdline()}")
    check.notes.append("gensim reads embtool's word2vec binary and text output: same keys, same bits")
    run_npy_check(embtool, m, tmpdir, check)


def run_npy_check(embtool, m, tmpdir, check):
    """convert OUT.npy: numpy.load gives gensim's matrix bit for bit (float16: numpy's astype), the
    file is byte for byte what numpy.save writes, OUT.vocab.txt is index_to_key, and a row equals
    `vector --id N`."""
    import io

    import numpy as np

    if any(not w or "\n" in w or "\r" in w for w in m.kv.index_to_key):
        return  # one word a line cannot hold them: convert refuses (tested in tests/formats)
    for dtype, numpy_dtype in (("f32", np.float32), ("f16", np.float16)):
        out = os.path.join(tmpdir, os.path.basename(m.path) + "." + dtype + ".npy")
        res = embtool.submit_argv([embtool.exe, "-m", m.path, "-q", "convert", "--force", "--dtype", dtype, m.path,
                                   out]).result()
        check.compared += 1
        if res.rc != 0:
            if dtype == "f16" and "float16's range" in res.err:
                continue  # values past 65504: refused, never written as inf
            check.fail(f"convert to .npy ({dtype}): exit {res.rc}: {res.err[:300]}\n  command: {res.cmdline()}")
            continue
        loaded = np.load(out)
        expected = m.kv.vectors.astype(numpy_dtype)
        if loaded.dtype != numpy_dtype or loaded.shape != expected.shape or not np.array_equal(
                loaded.view(np.uint16 if dtype == "f16" else np.uint32),
                expected.view(np.uint16 if dtype == "f16" else np.uint32)):
            check.fail(f"numpy.load of embtool's .npy ({dtype}) is not gensim's vectors bit for bit")
        saved = io.BytesIO()
        np.save(saved, expected)
        if saved.getvalue() != open(out, "rb").read():
            check.fail(f"embtool's .npy ({dtype}) is not byte for byte what numpy.save writes")
        vocab_path = out[:-len(".npy")] + ".vocab.txt"
        with open(vocab_path, "rb") as f:
            words = f.read().decode("utf-8", "replace").split("\n")
        if words[:-1] != [w for w in m.kv.index_to_key] or words[-1] != "":
            check.fail(f"{vocab_path} is not gensim's index_to_key, one a line")
    row = min(7, m.V - 1)
    res = embtool.submit_argv([embtool.exe, "-m", m.path, "-q", "--json", "vector", "--id", str(row)]).result()
    check.compared += 1
    doc = json.loads(res.out.splitlines()[0]) if res.rc == 0 and res.out else {}
    f32 = os.path.join(tmpdir, os.path.basename(m.path) + ".f32.npy")
    if not os.path.exists(f32) or doc.get("vector") is None or not np.array_equal(
            np.load(f32)[row].view(np.uint32), np.array(doc["vector"], dtype=np.float32).view(np.uint32)):
        check.fail(f"numpy.load(...)[{row}] differs from `vector --id {row}`\n  command: {res.cmdline()}")
    check.notes.append("convert OUT.npy (f32, f16) = numpy.save(gensim's vectors) byte for byte; OUT.vocab.txt = "
                       "index_to_key; numpy.load(...)[7] = vector --id 7")


def run_eval_check(args, report, embtool, model, questions):
    """eval analogies against gensim's evaluate_word_analogies: every section's correct/total
    and the OOV count, for 3CosAdd and (gensim's evaluation run with most_similar_cosmul) 3CosMul,
    with the default restrict_vocab and, on bigger files, a smaller one and dummy4unknown."""
    m = model
    if not questions or not os.path.exists(questions) or m.V < 50:
        return
    check = report.new(m.label, "eval-analogies")
    variants = [("add", None, False), ("mul", None, False)]
    if m.V > 5000:
        variants += [("add", 5000, True)]
    if m.V > 50000:  # gensim's evaluation is slow Python: one smaller run is enough there
        variants = [("add", 20000, False)]
    for method, restrict, dummy in variants:
        opts = ["--method", method] + (["--restrict", str(restrict)] if restrict else []) + \
               (["--dummy4unknown"] if dummy else [])
        fut = embtool.submit(m.path, "eval", [], ["analogies", questions, *opts])
        kv = m.kv
        saved = kv.most_similar
        if method == "mul":
            kv.most_similar = kv.most_similar_cosmul
        try:
            _, sections = kv.evaluate_word_analogies(questions, restrict_vocab=restrict or 300000,
                                                     dummy4unknown=dummy)
        finally:
            kv.most_similar = saved
        want = [[s["section"], len(s["correct"]), len(s["correct"]) + len(s["incorrect"])] for s in sections]
        res = fut.result()
        check.compared += 1
        label = f"eval analogies {' '.join(opts)}"
        if res.rc != 0:
            check.fail(f"{label}: exit {res.rc}: {res.err[:300]}\n  command: {res.cmdline()}")
            continue
        doc = json.loads(res.out)
        got = [[s["section"], s["correct"], s["total"]] for s in doc["sections"]] + \
              [[doc["total"]["section"], doc["total"]["correct"], doc["total"]["total"]]]
        if got != want:
            diffs = [(w, g) for w, g in zip(want, got) if w != g][:5]
            check.fail(f"{label}: counts differ from gensim (gensim, embtool): {diffs}\n  command: {res.cmdline()}")
    check.notes.append("per-section correct/total equal to gensim's evaluate_word_analogies")


def run_pairs_check(args, report, embtool, model, pair_files):
    """eval pairs against gensim's evaluate_word_pairs: Pearson and Spearman to 4 decimals and
    the same OOV ratio, with the defaults and with dummy4unknown and a small restrict_vocab."""
    m = model
    if m.V < 50:
        return
    check = report.new(m.label, "eval-pairs")
    for path in pair_files:
        if not os.path.exists(path):
            continue
        for restrict, dummy in ((None, False), (min(m.V, 2000), True)):
            opts = (["--restrict", str(restrict)] if restrict else []) + (["--dummy4unknown"] if dummy else [])
            fut = embtool.submit(m.path, "eval", [], ["pairs", path, *opts])
            check.compared += 1
            label = f"eval pairs {os.path.basename(path)} {' '.join(opts)}"
            try:
                p, sp, oov = m.kv.evaluate_word_pairs(path, restrict_vocab=restrict or 300000, dummy4unknown=dummy)
                want = (round(float(p[0]), 4), round(float(sp[0]), 4), oov)
            except ValueError:
                want = None  # gensim: no valid pairs
            res = fut.result()
            if want is None:
                if res.rc == 0:
                    check.fail(f"{label}: gensim found no valid pairs but embtool answered\n  command: {res.cmdline()}")
                continue
            if res.rc != 0:
                check.fail(f"{label}: exit {res.rc}: {res.err[:300]}\n  command: {res.cmdline()}")
                continue
            doc = json.loads(res.out)
            # JSON null is NaN (too few distinct pairs to correlate); gensim gives NaN too.
            got = tuple(float("nan") if doc[f] is None else doc[f] for f in ("pearson", "spearman", "oov_ratio"))
            got = (round(got[0], 4), round(got[1], 4), got[2])

            def same(x, y, tolerance=0.0):
                return (math.isnan(x) and math.isnan(y)) or abs(x - y) <= tolerance

            if not (same(got[0], want[0]) and same(got[1], want[1]) and same(got[2], want[2], 1e-4)):
                check.fail(f"{label}: (pearson, spearman, oov%) gensim {want}, embtool {got}\n  command: {res.cmdline()}")
    check.notes.append("Pearson/Spearman to 4 decimals and OOV ratio equal to gensim's evaluate_word_pairs")


def run_doesnt_match_check(args, report, embtool, model, rng):
    """doesnt-match against gensim's doesnt_match on random sets of 3 to 6 words."""
    m = model
    if m.V < 10:
        return
    check = report.new(m.label, "doesnt-match")
    for size in (3, 4, 5, 6, 4, 5):
        words = [m.words[r] for r in pick_rows(rng, m, size)]
        if len(words) < 2:
            continue
        fut = embtool.submit(m.path, "doesnt-match", words)
        want = m.kv.doesnt_match(words)
        res = fut.result()
        check.compared += 1
        if res.rc != 0 or json.loads(res.out).get("answer") != want:
            check.fail(f"doesnt-match {words!r}: gensim {want!r}, embtool exit {res.rc} {res.out[:200]!r}\n"
                       f"  command: {res.cmdline()}")


GENERATED_DIM = 16


def make_generated(tmpdir):
    """Write one synthetic vocabulary in three formats (binary without newlines, text, GloVe).

    It holds what the real files lack: exact ties (identical vectors under different words), near-ties
    (scaled copies: the same cosine up to float rounding), a zero vector, words starting with '-'
    (including '--help', '--k', '--'), non-ASCII words and words differing only in case.
    Returns [(label, path, special words)].
    """
    import numpy as np

    rs = np.random.RandomState(20250611)
    specials = ["-x", "--help", "--k", "-1.5", "--", "-", "--json", "café", "naïve", "日本", "a.b", "'s",
                "Apple", "apple", "BIG", "</s>", "1558", "-m"]
    centers = rs.normal(size=(12, GENERATED_DIM))
    words, vecs = [], []
    for i in range(240):
        words.append(specials[i] if i < len(specials) else f"w{i}")
        vecs.append((centers[i % 12] + rs.normal(scale=0.35, size=GENERATED_DIM)).astype(np.float32))
    special = list(specials)
    for g in range(6):
        base_word = words[20 + 7 * g]
        base = vecs[20 + 7 * g]
        special.append(base_word)
        for j in range(3):
            words.append(f"dup{g}.{j}")
            vecs.append(base.copy())
        for s in (2.0, 0.5, 3.0, 7.0):
            words.append(f"scaled{g}x{s:g}")
            vecs.append((base * np.float32(s)).astype(np.float32))
        special += [f"dup{g}.0", f"scaled{g}x3"]
    words.append("zero")
    vecs.append(np.zeros(GENERATED_DIM, dtype=np.float32))
    special.append("zero")
    # shuffle the rows so that tie groups are spread over the file
    order = rs.permutation(len(words))
    words = [words[i] for i in order]
    vecs = [vecs[i] for i in order]

    def text_row(w, v, trailing=""):
        return f"{w} {' '.join(repr(float(x)) if x != 0 else ('-0.0' if np.signbit(x) else '0.0') for x in v)}" \
               f"{trailing}\n"

    out = []
    p = os.path.join(tmpdir, "ties.bin")
    with open(p, "wb") as f:
        f.write(f"{len(words)} {GENERATED_DIM}\n".encode())
        for w, v in zip(words, vecs):
            f.write(w.encode("utf-8") + b" " + v.astype("<f4").tobytes())
    out.append(("generated/ties.bin", p, special))
    p = os.path.join(tmpdir, "ties.txt")
    with open(p, "w", encoding="utf-8") as f:
        f.write(f"{len(words)} {GENERATED_DIM}\n")
        for w, v in zip(words, vecs):
            f.write(text_row(w, v, " "))
    out.append(("generated/ties.txt", p, special))
    p = os.path.join(tmpdir, "ties.glove.txt")
    with open(p, "w", encoding="utf-8") as f:
        for w, v in zip(words, vecs):
            f.write(text_row(w, v))
    out.append(("generated/ties.glove.txt", p, special))
    return out


def run_refusal(report, embtool, path, label, expected_exc):
    """gensim refuses the file: embtool must exit 4 with nothing on stdout and one line on stderr."""
    check = report.new(label, "refuse")
    check.compared += 1
    fmt = sniff_format(path) or "word2vec-text"
    try:
        load_gensim(path, fmt)
        check.fail(f"gensim unexpectedly loaded {label} (expected {expected_exc}); update the test")
    except Exception as e:  # noqa: BLE001 - any refusal is what we want; note its type
        if type(e).__name__ != expected_exc:
            check.notes.append(f"gensim raised {type(e).__name__}, expected {expected_exc}")
        else:
            check.notes.append(f"gensim: {type(e).__name__}")
    futs = [embtool.submit(path, "info"), embtool.submit(path, "neighbors", ["dummy"], ["--k", "3"])]
    for fut in futs:
        res = fut.result()
        check.compared += 1
        if res.rc != 4 or res.out != "" or len(res.err.strip().splitlines()) != 1:
            check.fail(f"expected exit 4, empty stdout, one line on stderr; got exit {res.rc}, stdout {res.out[:200]!r}, "
                       f"stderr {res.err[:300]!r}\n  command: {res.cmdline()}")
    report.print_file(label, f"== {label}: a file gensim refuses")


# --------------------------------------------------------------------------------------------------


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--embtool", required=True, help="the embtool executable")
    ap.add_argument("--repo", required=True, help="the repository root (data/model.bin is looked up there)")
    ap.add_argument("--shared", help="the shared data directory (default: REPO/../shared/data)")
    ap.add_argument("--seed", default=str(DEFAULT_SEED), help="seed for the query choice (default %(default)s)")
    ap.add_argument("--jobs", type=int, default=3, help="parallel embtool invocations (default %(default)s)")
    ap.add_argument("--scale", type=int, default=1, help="multiply the number of queries (soak runs; default 1)")
    ap.add_argument("--only", action="append", help="test only files whose name contains this (repeatable)")
    args = ap.parse_args()

    t_start = time.time()
    report = Report()
    try:
        import numpy  # noqa: F401
        import gensim
        from gensim.models import KeyedVectors  # noqa: F401
    except Exception as e:  # noqa: BLE001
        print(f"FAIL: cannot import gensim/numpy with {sys.executable}: {type(e).__name__}: {e}")
        print("      the peer test needs Debian's python3-gensim (installed by scripts/install-deps.sh)")
        print("0 passed, 1 failed")
        return 1
    logging.getLogger("gensim").setLevel(logging.ERROR)
    numpy.seterr(divide="ignore", invalid="ignore")  # zero vectors: gensim divides by a zero norm (NaN)
    print(f"gensim {gensim.__version__}, numpy {numpy.__version__}, python {sys.version.split()[0]}; "
          f"embtool {args.embtool}; seed {args.seed}; {args.jobs} parallel invocations")

    if not (os.path.isfile(args.embtool) and os.access(args.embtool, os.X_OK)):
        print(f"FAIL: embtool executable not found: {args.embtool}")
        print("0 passed, 1 failed")
        return 1

    shared = args.shared or os.path.join(args.repo, "..", "shared", "data")
    files = []  # (label, path)
    model_bin = os.path.join(args.repo, "data", "model.bin")
    if os.path.isfile(model_bin):
        files.append(("data/model.bin", model_bin))
    else:
        print(f"skipped data/model.bin: {model_bin} does not exist (the bundled model is not built yet)")
    sample = os.path.join(shared, "sample", "sample.bin")
    if os.path.isfile(sample):
        files.append(("sample/sample.bin", sample))
    else:
        print(f"skipped sample/sample.bin: {sample} does not exist")
    eval_dir = os.path.join(shared, "eval")
    questions_file = os.path.join(eval_dir, "questions-words.txt")
    pair_files = [os.path.join(eval_dir, n) for n in ("wordsim353.tsv", "simlex999.txt")]
    if os.path.isdir(eval_dir):
        not_vectors = []
        for name in sorted(os.listdir(eval_dir)):
            p = os.path.join(eval_dir, name)
            if not os.path.isfile(p):
                continue
            if name in NON_VECTOR_FILES or (name not in EXPECTED_REFUSALS and sniff_format(p) is None):
                not_vectors.append(name)
                continue
            files.append(("eval/" + name, p))
        if not_vectors:
            print(f"not vector files (ignored): {', '.join('eval/' + n for n in not_vectors)}")
    else:
        print(f"skipped the gensim test files: {eval_dir} does not exist")

    embtool = Embtool(os.path.abspath(args.embtool), max(1, args.jobs))
    tmpdir = tempfile.mkdtemp(prefix="embtool-peer-")
    gendir = os.path.join(tmpdir, "generated")
    os.mkdir(gendir)
    try:
        word2vec_tool = compute_accuracy.build_compute_accuracy(os.path.join(tmpdir, "npm"))
    except RuntimeError as e:
        word2vec_tool = []
        check = report.new("compute-accuracy", "build")
        check.compared += 1
        check.fail(f"cannot build the word2vec C tool compute-accuracy: {e}")
    specials = {}
    for label, path, special in make_generated(gendir):
        files.append((label, path))
        specials[label] = special
    if args.only:
        files = [(l, p) for l, p in files if any(o in l for o in args.only)]
    try:
        for label, path in files:
            name = os.path.basename(path)
            if name in EXPECTED_REFUSALS:
                run_refusal(report, embtool, path, label, EXPECTED_REFUSALS[name])
                continue
            fmt = sniff_format(path)
            t0 = time.time()
            try:
                if fmt is None:
                    raise ValueError("neither a word2vec header nor a GloVe first line")
                kv = load_gensim(path, fmt)
            except Exception as e:  # noqa: BLE001
                if name not in EXPECTED_LOADABLE and not label.startswith("generated/"):
                    print(f"skipped {label}: gensim cannot load it as {fmt} ({type(e).__name__}: {e})")
                    continue
                check = report.new(label, "load")
                check.compared += 1
                check.fail(f"gensim cannot load {path} as {fmt}: {type(e).__name__}: {e}")
                report.print_file(label, f"== {label}")
                continue
            m = Model(path, label, fmt, kv, time.time() - t0)
            m.special_rows = [kv.key_to_index[w] for w in specials.get(label, []) if w in kv.key_to_index
                              and m.norms[kv.key_to_index[w]] > 0]
            rng = random.Random(f"{args.seed}:{label}")
            t1 = time.time()
            try:
                ft = FileTest(args, report, embtool, m, rng)
                ft.plan()
                ft.run()
                run_limit_check(args, report, embtool, m, rng)
                run_gzip_check(args, report, embtool, m, rng, tmpdir)
                run_store_check(args, report, embtool, m, rng, tmpdir)
                run_convert_check(args, report, embtool, m, tmpdir)
                run_doesnt_match_check(args, report, embtool, m, rng)
                compute_accuracy.run_compute_accuracy_check(report, embtool, m, word2vec_tool,
                                                            questions_file, gendir)
                if not label.startswith("generated/"):
                    run_eval_check(args, report, embtool, m, questions_file)
                    run_pairs_check(args, report, embtool, m, pair_files)
            except Exception:  # noqa: BLE001 - a bug in this script must not hide the summary
                check = report.new(label, "internal")
                check.compared += 1
                check.fail("the peer test itself failed:\n" + traceback.format_exc())
            notes = []
            if m.zero_rows:
                notes.append(f"{len(m.zero_rows)} zero-norm word(s) never used as queries")
            if m.unpassable:
                notes.append(f"{len(m.unpassable)} word(s) that cannot be passed on a command line skipped")
            dashes = len(dash_rows(m))
            if dashes:
                notes.append(f"{dashes} word(s) starting with '-' (passed after --)")
            header = (f"== {label}: {m.fmt}, {m.V} x {m.dim}; gensim load {m.load_seconds:.1f} s, "
                      f"checks {time.time() - t1:.1f} s" + (f"; {'; '.join(notes)}" if notes else ""))
            report.print_file(label, header)
            del m, kv
    finally:
        embtool.shutdown()
        shutil.rmtree(tmpdir, ignore_errors=True)

    passed, failed = report.totals()
    print(f"{embtool.calls} embtool invocations, {time.time() - t_start:.1f} s in all")
    if not files:
        print("no vector files found at all")
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
