#!/usr/bin/python3
"""Peer test: safetensors and .npy files written by Debian's torch 1.13 and numpy (not by
embtool), read by embtool.

torch.nn.Embedding weights are saved in the safetensors layout in F32, F16 and BF16 (torch 1.13
has no safetensors package: the header JSON is written here as the format's spec gives it, and
the tensor bytes are torch's own storage), one file each and as a sharded checkpoint with its
index; matrices go through numpy.save (float32, float16, float64) and
numpy.lib.format.write_array with versions (2, 0) and (3, 0). For each file:

  vector      ``vector --id N --json`` equals torch's / numpy's own float32 row, bit for bit
  neighbors   ``neighbors N --json`` equals a float64 brute force over the same rows (cosine,
              ties within 1e-5 aside)
  info        rows, dim, tensor and tied_embeddings

and a Hugging Face model directory (the F32 weights of GPT-2's shape, 50,257 rows, with GPT-2's
own vocab.json and merges.txt from ../shared/data/llm/gpt2-bpe when it is there): the same rows,
and `neighbors " king"` finds the token 'Ġking' by its text.

    safetensors_peer_test.py --embtool build/embtool [--shared ../shared/data/llm]
"""
import argparse
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile

import numpy as np
import torch

ROWS, DIM = 3000, 67  # an odd dim: the kernels' scalar tails and 2-byte rows at odd offsets
K = 10
IDS = [0, 1, 2, 777, 1499, ROWS - 1]
TIE = 1e-5


def safetensors_bytes(tensors, metadata=None, align=True):
    """tensors: [(name, torch tensor)]; the header as safetensors' spec lays it out. `align`
    pads the header with spaces to 8 bytes as the safetensors library does; without it the data
    starts 1 byte past a multiple of 8, so that the rows lie at offsets that are no multiple of
    their element's size."""
    header, data = {}, b""
    for name, t in tensors:
        t = t.detach().contiguous()
        if t.dtype == torch.bfloat16:
            raw = t.view(torch.int16).numpy().tobytes()  # numpy has no bfloat16: torch's own bits
        else:
            raw = t.numpy().tobytes()
        dtype = {torch.float32: "F32", torch.float16: "F16", torch.bfloat16: "BF16"}[t.dtype]
        header[name] = {"dtype": dtype, "shape": list(t.shape), "data_offsets": [len(data), len(data) + len(raw)]}
        data += raw
    if metadata:
        header["__metadata__"] = metadata
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * ((-len(text) if align else 1 - 8 - len(text)) % 8)
    return struct.pack("<Q", len(text)) + text + data


def as_float32(t):
    """torch's own decoding of its rows to float32."""
    return t.detach().to(torch.float32).numpy()


class Embtool:
    def __init__(self, path):
        self.path = path
        helptext = subprocess.run([path, "neighbors", "--help"], capture_output=True, text=True).stdout
        self.neighbors_take_id = "--id" in helptext

    def run(self, model, *args):
        p = subprocess.run([self.path, "-m", model, *args, "--json"], capture_output=True, text=True, timeout=120)
        if p.returncode != 0:
            raise AssertionError(f"embtool -m {model} {' '.join(args)}: exit {p.returncode}: {p.stderr.strip()}")
        return json.loads(p.stdout)

    def neighbors(self, model, row):
        # Rows of these files are named by their number, so `neighbors N` asks for row N until
        # `--id` is there.
        args = ["neighbors", "--id", str(row)] if self.neighbors_take_id else ["neighbors", str(row)]
        return self.run(model, *args, "--k", str(K))


def brute_force(rows64, row):
    norms = np.linalg.norm(rows64, axis=1)
    scores = rows64 @ rows64[row] / (norms * norms[row])
    scores[row] = -np.inf
    return scores


def check_neighbors(failures, label, doc, rows64, row):
    scores = brute_force(rows64, row)
    order = np.argsort(-scores, kind="stable")
    want = [int(i) for i in order[:K]]
    got = [int(r["id"]) if "id" in r else int(r["word"]) for r in doc["results"]]
    if got == want:
        return
    kth = scores[order[K - 1]]
    for i, r in zip(got, doc["results"]):
        near_boundary = abs(scores[i] - kth) <= TIE
        if abs(scores[i] - r["score"]) > TIE or (i not in want and not near_boundary):
            failures.append(f"{label}: neighbors of row {row}: embtool {got}, float64 brute force {want}")
            return
    if len(got) != K:
        failures.append(f"{label}: neighbors of row {row}: {len(got)} results, expected {K}")


def check_model(failures, embtool, label, model, expected, tensor=None, tied=None):
    """`expected`: the float32 rows as the writer itself decodes them."""
    info = embtool.run(model, "info")
    rows = info.get("rows", info.get("words"))
    if (rows, info["dim"]) != expected.shape:
        failures.append(f"{label}: info says {rows} x {info['dim']}, expected {expected.shape}")
        return
    if tensor and info.get("tensor") != tensor:
        failures.append(f"{label}: info tensor {info.get('tensor')!r}, expected {tensor!r}")
    if tied and info.get("tied_embeddings") != tied:
        failures.append(f"{label}: tied_embeddings {info.get('tied_embeddings')!r}, expected {tied!r}")
    for row in IDS:
        doc = embtool.run(model, "vector", "--id", str(row))
        got = np.array([float(x) for x in doc["vector"]], dtype=np.float64).astype(np.float32)
        if not np.array_equal(got.view(np.uint32), expected[row].view(np.uint32)):
            bad = int(np.flatnonzero(got.view(np.uint32) != expected[row].view(np.uint32))[0])
            failures.append(f"{label}: row {row} dimension {bad + 1}: embtool {got[bad]!r}, writer {expected[row][bad]!r}")
    rows64 = expected.astype(np.float64)
    for row in IDS[:3]:
        check_neighbors(failures, label, embtool.neighbors(model, row), rows64, row)


def safetensors_cases(tmp):
    torch.manual_seed(12)
    wte = torch.nn.Embedding(ROWS, DIM)
    cases = []
    for dtype, name in [(torch.float32, "F32"), (torch.float16, "F16"), (torch.bfloat16, "BF16")]:
        weight = wte.weight.to(dtype)
        path = os.path.join(tmp, f"gpt2-{name}.safetensors")
        with open(path, "wb") as f:
            f.write(safetensors_bytes([("wpe.weight", torch.zeros(16, DIM, dtype=dtype)), ("wte.weight", weight)],
                                      {"format": "pt"}))
        cases.append((f"safetensors {name}", path, as_float32(weight), "wte.weight", "tied: no output tensor"))
    # The rows start at an offset that is no multiple of 4 (or of 2): read from a copy.
    for dtype, name in [(torch.float32, "F32"), (torch.bfloat16, "BF16")]:
        weight = wte.weight.to(dtype)
        path = os.path.join(tmp, f"unaligned-{name}.safetensors")
        with open(path, "wb") as f:
            f.write(safetensors_bytes([("x", torch.zeros(1, dtype=torch.float16)),
                                       ("model.embed_tokens.weight", weight)], align=False))
        cases.append((f"safetensors {name}, unaligned", path, as_float32(weight), "model.embed_tokens.weight", None))
    # A sharded Llama-style checkpoint: the head in shard 1 (a copy: equal bytes), the
    # embedding in shard 2.
    shard_dir = os.path.join(tmp, "sharded")
    os.makedirs(shard_dir)
    weight = wte.weight.to(torch.bfloat16)
    shards = {"model-00001-of-00002.safetensors": [("lm_head.weight", weight.clone()),
                                                   ("model.norm.weight", torch.ones(DIM, dtype=torch.bfloat16))],
              "model-00002-of-00002.safetensors": [("model.embed_tokens.weight", weight)]}
    weight_map = {}
    for shard, tensors in shards.items():
        with open(os.path.join(shard_dir, shard), "wb") as f:
            f.write(safetensors_bytes(tensors, {"format": "pt"}))
        weight_map.update({name: shard for name, _ in tensors})
    index = os.path.join(shard_dir, "model.safetensors.index.json")
    with open(index, "w") as f:
        json.dump({"metadata": {"total_size": 0}, "weight_map": weight_map}, f)
    cases.append(("sharded BF16 through the index", index, as_float32(weight), "model.embed_tokens.weight",
                  "equal to lm_head.weight"))
    return cases


def npy_cases(tmp):
    rng = np.random.default_rng(5)
    base = rng.standard_normal((ROWS, DIM))
    cases = []
    for dtype in ("<f4", "<f2", "<f8"):
        values = base.astype(dtype)
        path = os.path.join(tmp, f"emb{dtype[1:]}.npy")
        np.save(path, values)
        cases.append((f"numpy.save {dtype}", path, values.astype(np.float32), None, None))
    for version in ((2, 0), (3, 0)):
        values = base.astype("<f4")
        path = os.path.join(tmp, f"emb-v{version[0]}.npy")
        with open(path, "wb") as f:
            np.lib.format.write_array(f, values, version=version)
        cases.append((f"write_array version {version}", path, values, None, None))
    return cases


def check_model_directory(failures, embtool, tmp, shared):
    """GPT-2's tokenizer beside torch-written weights of its shape, as save_pretrained lays out."""
    bpe = os.path.join(shared or "", "gpt2-bpe")
    if not shared or not os.path.isfile(os.path.join(bpe, "vocab.json")):
        print(f"model directory: skipped, GPT-2's vocab.json is not in {bpe!r}")
        return
    with open(os.path.join(bpe, "vocab.json"), encoding="utf-8") as f:
        vocab = json.load(f)
    rows = len(vocab)
    torch.manual_seed(3)
    wte = torch.nn.Embedding(rows, 32).weight
    directory = os.path.join(tmp, "gpt2")
    os.makedirs(directory)
    with open(os.path.join(directory, "model.safetensors"), "wb") as f:
        f.write(safetensors_bytes([("wte.weight", wte)], {"format": "pt"}))
    for name in ("vocab.json", "merges.txt"):
        shutil.copy(os.path.join(bpe, name), directory)
    with open(os.path.join(directory, "config.json"), "w") as f:
        json.dump({"architectures": ["GPT2LMHeadModel"], "model_type": "gpt2", "n_positions": 1024,
                   "vocab_size": rows}, f)
    expected = as_float32(wte)
    global IDS
    ids, IDS = IDS, [0, 1, 3, 777, 1499, rows - 1]
    try:
        check_model(failures, embtool, "model directory (GPT-2 tokenizer)", directory, expected, "wte.weight",
                    "tied: no output tensor")
    finally:
        IDS = ids
    king = vocab["\u0120king"]
    doc = embtool.run(directory, "neighbors", " king", "--k", str(K))
    if doc["results"] and doc["results"][0].get("id") == king:
        failures.append("model directory: neighbors ' king' lists the query itself")
    check_neighbors(failures, "model directory, neighbors ' king'", doc, expected.astype(np.float64), king)
    print(f"model directory: {rows} rows named by GPT-2's vocab.json; neighbors ' king' -> {doc['results'][0]}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--embtool", required=True)
    ap.add_argument("--shared", help="../shared/data/llm, for GPT-2's vocab.json and merges.txt")
    args = ap.parse_args()
    embtool = Embtool(os.path.abspath(args.embtool))
    failures = []
    with tempfile.TemporaryDirectory(prefix="embtool-safetensors-peer-") as tmp:
        cases = safetensors_cases(tmp) + npy_cases(tmp)
        for label, path, expected, tensor, tied in cases:
            try:
                check_model(failures, embtool, label, path, expected, tensor, tied)
            except AssertionError as e:
                failures.append(f"{label}: {e}")
        try:
            check_model_directory(failures, embtool, tmp, args.shared)
        except AssertionError as e:
            failures.append(f"model directory: {e}")
    for f in failures:
        print("FAIL", f)
    print(f"{len(cases)} files, {len(failures)} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
