#!/usr/bin/python3
"""Peer test of `embtool plot`: its projections against numpy and scikit-learn (Debian's
python3-numpy and python3-sklearn) on the same rows, read by gensim (word vectors) or from the
safetensors bytes (a token model), and its images read by Python's own XML parser.

  pca      `plot ... --json` coordinates equal a numpy SVD PCA of the rows, up to each axis's sign,
           to 1e-4, and the explained variance equals sklearn's PCA's explained_variance_ratio_
           (with sklearn's signs, exactly as sklearn's PCA gives them)
  store    the same plot on a store (.emb) of the model gives the same coordinates
  tsne     `--method tsne` keeps neighbourhoods as well as sklearn's TSNE(method="exact") on the
           same rows: trustworthiness (k=5) within 0.02 of sklearn's
  svg      `plot WORDS -o p.svg` is well-formed XML (SVG namespace) naming every word in a <text>
  png      `plot --neighbors king --k 15 -o p.png` is a PNG (signature, IHDR, IEND)
  tokens   `plot --ids ...` on a Hugging Face directory: numpy PCA of its wte rows

    plot_peer_test.py --embtool build/embtool --repo . [--shared ../shared/data]
"""
import argparse
import json
import os
import struct
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

import numpy as np

FAILURES = []
PASSED = [0]


def check(ok, what):
    if ok:
        PASSED[0] += 1
    else:
        FAILURES.append(what)
        print("FAIL:", what)


def run(embtool, *args):
    result = subprocess.run([embtool, *args], capture_output=True)
    if result.returncode != 0:
        raise RuntimeError(f"embtool {' '.join(args)}: exit {result.returncode}: {result.stderr.decode()}")
    return result.stdout


def plot_json(embtool, model, *args):
    return json.loads(run(embtool, "-m", model, "--json", "plot", *args))


def numpy_pca(rows):
    centred = rows - rows.mean(axis=0)
    u, s, vt = np.linalg.svd(centred, full_matrices=False)
    return (u * s)[:, :2], (s ** 2 / (s ** 2).sum())[:2]


def coordinates(answer):
    return np.array([[p["x"], p["y"]] for p in answer["points"]], dtype=np.float64)


def same_up_to_sign(ours, theirs, label):
    worst = 0.0
    for axis in range(2):
        a, b = ours[:, axis], theirs[:, axis]
        worst = max(worst, min(np.abs(a - b).max(), np.abs(a + b).max()))
    check(worst <= 1e-4, f"{label}: coordinates differ from numpy's PCA by {worst:.3g} (> 1e-4)")
    return worst


def check_pca(embtool, model, kv, label, args):
    answer = plot_json(embtool, model, *args)
    words = [p["word"] for p in answer["points"]]
    rows = np.array([kv[w] for w in words], dtype=np.float64)
    theirs, shares = numpy_pca(rows)
    worst = same_up_to_sign(coordinates(answer), theirs, f"{label} {' '.join(args)}")
    from sklearn.decomposition import PCA
    pca = PCA(n_components=2, svd_solver="full")
    sklearn_coords = pca.fit_transform(rows)
    check(np.allclose(answer["explained_variance"], pca.explained_variance_ratio_, atol=1e-9),
          f"{label}: explained variance {answer['explained_variance']} vs sklearn {pca.explained_variance_ratio_}")
    check(np.abs(coordinates(answer) - sklearn_coords).max() <= 1e-4, f"{label}: signs differ from sklearn's PCA")
    print(f"pca {label} {' '.join(args)}: {len(words)} points, max |difference| {worst:.2g}, "
          f"variance {answer['explained_variance'][0]:.4f} {answer['explained_variance'][1]:.4f}")
    return answer


def check_tsne(embtool, model, kv, label):
    """t-SNE ends in one of many local optima: sklearn's own trustworthiness moves by about 0.03
    with its random_state (which only turns its randomized PCA start), so the means over three
    neighbourhoods (and, for sklearn, four random states) are compared."""
    from sklearn.manifold import TSNE, trustworthiness
    ours_all, theirs_all = [], []
    for word in ("dog", "king", "water"):
        answer = plot_json(embtool, model, "--neighbors", word, "--k", "59", "--method", "tsne", "--perplexity", "15")
        rows = np.array([kv[p["word"]] for p in answer["points"]], dtype=np.float64)
        ours = trustworthiness(rows, coordinates(answer), n_neighbors=5)
        theirs = [trustworthiness(rows, TSNE(n_components=2, perplexity=15, method="exact", init="pca",
                                             learning_rate="auto", random_state=seed).fit_transform(rows),
                                  n_neighbors=5) for seed in range(4)]
        print(f"tsne {label} --neighbors {word}: {len(rows)} points, trustworthiness {ours:.4f}; sklearn exact "
              f"t-SNE, random_state 0-3: {' '.join(f'{t:.4f}' for t in theirs)}")
        ours_all.append(ours)
        theirs_all.extend(theirs)
    ours_mean, theirs_mean = np.mean(ours_all), np.mean(theirs_all)
    check(abs(ours_mean - theirs_mean) <= 0.02 or ours_mean > theirs_mean,
          f"{label}: mean t-SNE trustworthiness {ours_mean:.4f}, sklearn's {theirs_mean:.4f}")
    print(f"tsne {label}: mean trustworthiness {ours_mean:.4f}, sklearn's {theirs_mean:.4f}")


def check_svg(embtool, model, tmp):
    words = ["king", "queen", "man", "woman", "prince", "princess"]
    path = os.path.join(tmp, "p.svg")
    run(embtool, "-m", model, "plot", *words, "-o", path)
    root = ET.parse(path).getroot()
    check(root.tag == "{http://www.w3.org/2000/svg}svg", f"svg: the root element is {root.tag}")
    texts = {t.text for t in root.iter("{http://www.w3.org/2000/svg}text")}
    missing = [w for w in words if w not in texts]
    check(not missing, f"svg: words not named in a <text>: {missing}")
    titles = [t.text for t in root.iter("{http://www.w3.org/2000/svg}title")]
    check(any("PCA" in (t or "") for t in titles), f"svg: no title saying the method: {titles}")
    print(f"svg: {os.path.getsize(path)} bytes, {len(texts)} words as text, title {titles[:1]}")


def check_png(embtool, model, tmp):
    path = os.path.join(tmp, "p.png")
    run(embtool, "-m", model, "plot", "--neighbors", "king", "--k", "15", "-o", path)
    data = open(path, "rb").read()
    check(data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR", "png: no PNG signature and IHDR")
    width, height = struct.unpack(">II", data[16:24])
    check(data[-8:-4] == b"IEND", "png: does not end with IEND")
    print(f"png: {len(data)} bytes, {width} x {height}")


def safetensors_tensor(path, name):
    data = open(path, "rb").read()
    (length,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + length])
    entry = header[name]
    begin, end = entry["data_offsets"]
    assert entry["dtype"] == "F32"
    return np.frombuffer(data[8 + length + begin:8 + length + end], dtype="<f4").reshape(entry["shape"])


def check_tokens(embtool, shared):
    directory = os.path.join(shared, "llm", "tiny_gpt2")
    if not os.path.isdir(directory):
        print(f"skipped tokens: {directory} does not exist")
        return
    wte = safetensors_tensor(os.path.join(directory, "model.safetensors"), "wte.weight")
    ids = [str(i) for i in range(wte.shape[0])]
    args = [a for i in ids for a in ("--id", i)]
    answer = plot_json(embtool, directory, *args)
    rows = wte[[p["id"] for p in answer["points"]]].astype(np.float64)
    worst = same_up_to_sign(coordinates(answer), numpy_pca(rows)[0], "tokens tiny_gpt2")
    check(all("token" in p for p in answer["points"]), "tokens: points do not say their tokens")
    print(f"tokens tiny_gpt2: {len(rows)} rows, max |difference| {worst:.2g}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--embtool", required=True)
    ap.add_argument("--repo", required=True)
    ap.add_argument("--shared")
    args = ap.parse_args()
    try:
        from gensim.models import KeyedVectors
        import sklearn  # noqa: F401
    except ImportError as e:
        print(f"FAIL: {e}: the plot peer test needs Debian's python3-gensim and python3-sklearn")
        return 1
    shared = args.shared or os.path.join(args.repo, "..", "shared", "data")
    model = os.path.join(args.repo, "data", "model.bin")
    kv = KeyedVectors.load_word2vec_format(model, binary=True)
    with tempfile.TemporaryDirectory(prefix="embtool-plot-") as tmp:
        check_pca(embtool := args.embtool, model, kv, "model.bin", ["king", "queen", "man", "woman", "prince", "princess"])
        first = check_pca(embtool, model, kv, "model.bin", ["--neighbors", "king", "--k", "40"])
        check_pca(embtool, model, kv, "model.bin", ["--analogy", "king", "woman", "man", "--group", "cat,dog,horse"])
        store = os.path.join(tmp, "model.emb")
        run(embtool, "convert", model, store)
        on_store = plot_json(embtool, store, "--neighbors", "king", "--k", "40")
        check(np.array_equal(coordinates(on_store), coordinates(first)), "store: coordinates differ from the .bin's")
        check_tsne(embtool, model, kv, "model.bin")
        check_svg(embtool, model, tmp)
        check_png(embtool, model, tmp)
        check_tokens(embtool, shared)
    print(f"{PASSED[0]} passed, {len(FAILURES)} failed")
    return 1 if FAILURES else 0


if __name__ == "__main__":
    sys.exit(main())
