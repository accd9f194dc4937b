#!/usr/bin/python3
"""GGUF files written by llama.cpp's own writer and quantizer, read by embtool.

GPT-2-shaped files (the real GPT-2 vocabulary, 50,257 rows of 768 values: a trained-looking
random matrix, normal values with a scale per row) are written by gguf-py's GGUFWriter in F32,
F16, BF16, Q8_0, Q4_0, Q4_K, Q5_K and Q6_K (and 4,096-row files in Q4_1, Q5_0, Q5_1, Q2_K and
Q3_K, whose rows only are checked), the quantized ones quantized by ggml's own
ggml_quantize_chunk (libggml-base.so, through ctypes). Then, for each file:

  vector     ``vector --id N --json`` for the first, the last and random rows: every value equal,
             bit for bit, to ggml's own dequantize_row_* (or ggml_fp16/bf16_to_fp32_row) of the
             bytes written; and every row so, through ``convert`` to word2vec binary
  neighbors  ``neighbors --id N --k 10 --json``: the rows and scores of a float64 brute force
             (cosine) over those dequantized values, ties within 1e-5 aside
  text       ``neighbors " king"``: answers, without Ġking's own row, as the brute force does

gguf-py and ggml come from npm (node-llama-cpp@3.21.1 holds llama.cpp as a git bundle;
@node-llama-cpp/linux-x64@3.21.1 holds the prebuilt libggml-base.so), fetched with `npm pack`
into --work and kept there. The vocabulary is read from ../shared/data/llm (the test is skipped,
exit 77, when it is absent; --shared names it elsewhere).

    gguf_peer_test.py --embtool build/embtool --work build/peer-gguf [--types Q4_K,F16]
"""
import argparse
import ctypes
import glob
import json
import os
import subprocess
import sys
import tarfile
import tempfile
import time

import numpy as np

NODE_LLAMA_CPP = "node-llama-cpp@3.21.1"
GGML_BINARIES = "@node-llama-cpp/linux-x64@3.21.1"
SKIP = 77

ROWS, DIM = 50257, 768
TYPES = ["F32", "F16", "BF16", "Q8_0", "Q4_0", "Q4_K", "Q5_K", "Q6_K"]
# The other types embtool decodes: their rows checked on a smaller file of the same matrix.
SMALL_TYPES = ["Q4_1", "Q5_0", "Q5_1", "Q2_K", "Q3_K"]
SMALL_ROWS = 4096
RANDOM_ROWS = 24         # checked by vector, besides the first and the last
NEIGHBOR_QUERIES = 6     # rows whose neighbors are checked
K = 10
TIE = 1e-5
HERE = os.path.dirname(os.path.abspath(__file__))


def npm_pack(package, workdir):
    """The tarball of `package` in workdir, packed once."""
    stem = package.lstrip("@").replace("/", "-").rsplit("@", 1)
    pattern = os.path.join(workdir, f"{stem[0]}-{stem[1]}.tgz")
    if not os.path.exists(pattern):
        try:
            subprocess.run(["npm", "pack", package, "--pack-destination", workdir, "--silent"],
                           check=True, capture_output=True, timeout=600)
        except (OSError, subprocess.SubprocessError) as e:
            detail = getattr(e, "stderr", b"") or b""
            raise RuntimeError(f"npm pack {package} failed: {e} {detail.decode(errors='replace')[:300]}")
    if not os.path.exists(pattern):
        raise RuntimeError(f"npm pack {package} left no {os.path.basename(pattern)} in {workdir}")
    return pattern


def extract_member(tarball, member, workdir):
    out = os.path.join(workdir, member)
    if not os.path.exists(out):
        with tarfile.open(tarball) as tar:
            tar.extract(member, workdir)
    return out


def fetch(workdir):
    """(the gguf-py directory, the path of libggml-base.so), fetched into workdir once."""
    os.makedirs(workdir, exist_ok=True)
    bundle = extract_member(npm_pack(NODE_LLAMA_CPP, workdir), "package/llama/gitRelease.bundle", workdir)
    clone = os.path.join(workdir, "llama.cpp")
    if not os.path.isdir(os.path.join(clone, "gguf-py", "gguf")):
        subprocess.run(["rm", "-rf", clone], check=True)
        subprocess.run(["git", "clone", "-q", "--no-checkout", bundle, clone], check=True, timeout=300)
        subprocess.run(["git", "-C", clone, "checkout", "-q", "HEAD", "--", "gguf-py"], check=True, timeout=300)
    library = extract_member(npm_pack(GGML_BINARIES, workdir), "package/bins/linux-x64/libggml-base.so", workdir)
    return os.path.join(clone, "gguf-py"), library


class Ggml:
    """ggml's own quantizer and dequantizers, from libggml-base.so."""

    def __init__(self, library, gguf):
        self.lib = ctypes.CDLL(library)
        self.gguf = gguf
        self.lib.ggml_quantize_chunk.restype = ctypes.c_size_t
        self.lib.ggml_quantize_chunk.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int64,
                                                 ctypes.c_int64, ctypes.c_int64, ctypes.c_void_p]
        for name in ["ggml_fp16_to_fp32_row", "ggml_bf16_to_fp32_row", "ggml_fp32_to_bf16_row"] + \
                [f"dequantize_row_{t.lower().replace('_k', '_K')}" for t in TYPES + SMALL_TYPES if t.startswith("Q")]:
            getattr(self.lib, name).argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int64]
            getattr(self.lib, name).restype = None

    def type_id(self, name):
        return int(self.gguf.GGMLQuantizationType[name])

    def encode(self, name, matrix):
        """The bytes of `matrix` in ggml type `name`, as a uint8 array of rows (or the matrix
        itself for F32, float16 for F16, uint16 bfloat16 for BF16), ggml's own rounding."""
        rows, dim = matrix.shape
        if name == "F32":
            return matrix
        if name == "F16":
            return matrix.astype(np.float16)  # IEEE round to nearest even, as ggml_fp32_to_fp16
        if name == "BF16":
            out = np.empty(matrix.shape, dtype=np.uint16)
            self.lib.ggml_fp32_to_bf16_row(matrix.ctypes.data, out.ctypes.data, matrix.size)
            return out
        block, size = self.gguf.GGML_QUANT_SIZES[self.gguf.GGMLQuantizationType[name]]
        out = np.empty((rows, dim // block * size), dtype=np.uint8)
        written = self.lib.ggml_quantize_chunk(self.type_id(name), matrix.ctypes.data, out.ctypes.data, 0, rows, dim,
                                               None)
        if written != out.nbytes:
            raise RuntimeError(f"ggml_quantize_chunk wrote {written} bytes for {name}, expected {out.nbytes}")
        return out

    def decode(self, name, data, rows, dim):
        """ggml's float32 values of `data` (what encode returned)."""
        if name == "F32":
            return data
        out = np.empty((rows, dim), dtype=np.float32)
        function = {"F16": "ggml_fp16_to_fp32_row", "BF16": "ggml_bf16_to_fp32_row"}.get(
            name, f"dequantize_row_{name.lower().replace('_k', '_K')}")
        data = np.ascontiguousarray(data)
        getattr(self.lib, function)(data.ctypes.data, out.ctypes.data, rows * dim)
        return out


def trained_looking_matrix(rows, dim, seed=12):
    """Normal values with a scale per row (log-normal, as trained rows' norms spread) and a
    shared direction, so that neighbors are not all ties."""
    rng = np.random.default_rng(seed)
    matrix = rng.standard_normal((rows, dim), dtype=np.float32)
    matrix += rng.standard_normal(dim, dtype=np.float32) * np.float32(0.3)
    matrix *= (np.exp(rng.normal(-2.5, 0.4, size=(rows, 1)))).astype(np.float32)
    return np.ascontiguousarray(matrix, dtype=np.float32)


def gpt2_tokens(shared, gguf):
    """GPT-2's 50,257 tokens and their types, from llama.cpp's own vocabulary file."""
    reader = gguf.GGUFReader(os.path.join(shared, "llm", "vocab", "ggml-vocab-gpt-2.gguf"))
    tokens = reader.fields["tokenizer.ggml.tokens"]
    types = reader.fields["tokenizer.ggml.token_type"]
    keys = [bytes(tokens.parts[i]).decode("utf-8") for i in tokens.data]
    kinds = [int(types.parts[i][0]) for i in types.data]
    return keys, kinds


def write_gguf(gguf, path, name, data, keys, kinds):
    writer = gguf.GGUFWriter(path, "gpt2")
    writer.add_name(f"gpt-2-shaped {name}")
    writer.add_context_length(1024)
    writer.add_embedding_length(DIM)
    writer.add_tokenizer_model("gpt2")
    writer.add_tokenizer_pre("gpt-2")
    writer.add_token_list(keys)
    writer.add_token_types(kinds)
    raw_dtype = None if name in ("F32", "F16") else gguf.GGMLQuantizationType[name]
    writer.add_tensor("token_embd.weight", data, raw_dtype=raw_dtype)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()


class Embtool:
    def __init__(self, binary):
        self.binary = binary

    def run(self, model, *args, stdin=None):
        p = subprocess.run([self.binary, "-m", model, *args], capture_output=True, input=stdin, timeout=300)
        if p.returncode != 0:
            raise RuntimeError(f"embtool {' '.join(args)} exited {p.returncode}: {p.stderr.decode(errors='replace')[:500]}")
        return p.stdout.decode("utf-8")

    @staticmethod
    def row_args(command, row):
        return [command, "--id", str(row)]


def result_row(result, index_of):
    """The row a result names: its id, which must be the row of its token."""
    if index_of.get(result.get("token"), result["id"]) != result["id"]:
        raise RuntimeError(f"a result's id {result['id']} is not the row of its token {result.get('token')!r}")
    return result["id"]


def vector_document(text):
    """A vector's JSON, its "-0" values read as the float -0.0 (json reads "-0" as the integer 0)."""
    return json.loads(text, parse_int=lambda digits: float(digits) if digits == "-0" else int(digits))


def vector_values(doc):
    return np.array([float(x) for x in doc["vector"]], dtype=np.float64).astype(np.float32)


def brute_force(unit, row, query_row=None):
    """Rows by float64 cosine with `row`'s vector, itself excluded: [(row, score)]."""
    scores = unit @ unit[row]
    scores[row] = -np.inf
    top = np.argsort(-scores, kind="stable")[:K + 5]
    return [(int(r), float(scores[r])) for r in top], scores


def check_neighbors(what, results, scores, expected, index_of, failures):
    got = [(result_row(r, index_of), float(r["score"])) for r in results]
    if len(got) != K:
        failures.append(f"{what}: {len(got)} results, expected {K}")
        return
    for rank, ((row, score), (want_row, want_score)) in enumerate(zip(got, expected), start=1):
        true_score = float(scores[row])
        if abs(score - true_score) > TIE:
            failures.append(f"{what}: rank {rank} row {row} score {score}, float64 says {true_score}")
        if row != want_row and abs(true_score - want_score) > TIE:
            failures.append(f"{what}: rank {rank} is row {row} ({true_score}), float64 says row {want_row} "
                            f"({want_score})")


def check_info(embtool, path, name, rows, failures):
    info = json.loads(embtool.run(path, "--json", "info"))
    want = {"format": "gguf", "rows": rows, "dim": DIM, "tensor": "token_embd.weight", "tensor_dtype": name,
            "tokenizer": "gpt2", "architecture": "gpt2", "context_length": 1024,
            "tied_embeddings": "tied: no output tensor"}
    if name.startswith("Q"):
        want["decoded_to"] = "f32"
    for key, value in want.items():
        if info.get(key) != value:
            failures.append(f"{name}: info says {key} {info.get(key)!r}, expected {value!r}")


def check_vectors(name, rows, docs, expected, failures):
    for row, doc in zip(rows, docs):
        got = vector_values(doc)
        want = expected[row]
        if doc.get("row", row) != row or got.shape != want.shape or not np.array_equal(got.view(np.uint32),
                                                                                        want.view(np.uint32)):
            bad = np.flatnonzero(got.view(np.uint32) != want.view(np.uint32)) if got.shape == want.shape else []
            failures.append(f"{name}: vector of row {row}: {len(bad)} values differ from ggml's "
                            f"(first at {bad[:1]}: {got[bad[:1]]} vs {want[bad[:1]]})")


def rows_to_check(name, rows, count):
    """The first row, the last and `count` others, picked by the type's name."""
    rng = np.random.default_rng(len(name))
    return [0, rows - 1] + sorted(int(r) for r in rng.choice(np.arange(1, rows - 1), count, replace=False))


def check_every_row(embtool, path, name, expected, failures):
    """Every row, bit for bit: the file converted to word2vec binary (which keeps every float
    bit) and read back here."""
    out = path + ".bin"
    embtool.run(path, "convert", path, out, "--force")
    with open(out, "rb") as f:
        data = f.read()
    os.remove(out)
    header_end = data.index(b"\n")
    rows, dim = map(int, data[:header_end].split())
    if (rows, dim) != expected.shape:
        failures.append(f"{name}: convert wrote {rows} x {dim}, expected {expected.shape}")
        return
    got = np.empty(expected.shape, dtype=np.float32)
    pos = header_end + 1
    for row in range(rows):
        pos = data.index(b" ", pos) + 1
        got[row] = np.frombuffer(data, dtype="<f4", count=dim, offset=pos)
        pos += 4 * dim + 1
    bad = np.flatnonzero((got.view(np.uint32) != expected.view(np.uint32)).any(axis=1))
    if len(bad):
        failures.append(f"{name}: {len(bad)} rows differ from ggml's, the first {bad[0]}")


def check_file(embtool, path, name, expected, keys, failures):
    """info, vector and neighbors of the GPT-2-shaped file at `path`; returns the seconds taken."""
    index_of = {k: i for i, k in enumerate(keys)}
    rows = rows_to_check(name, ROWS, RANDOM_ROWS)
    queries = rows[:NEIGHBOR_QUERIES]
    started = time.time()
    check_info(embtool, path, name, ROWS, failures)
    check_every_row(embtool, path, name, expected, failures)
    # The first row and the first query by commands of their own, the others in one batch (one
    # process, one decode).
    first = vector_document(embtool.run(path, "--json", *embtool.row_args("vector", rows[0])))
    first_neighbors = json.loads(embtool.run(path, "--json", *embtool.row_args("neighbors", queries[0]),
                                             "--k", str(K)))
    lines = [" ".join(embtool.row_args("vector", r)) for r in rows[1:]]
    lines += [" ".join(embtool.row_args("neighbors", r) + ["--k", str(K)]) for r in queries[1:]]
    answers = [vector_document(line) for line in
               embtool.run(path, "--json", "batch", stdin=("\n".join(lines) + "\n").encode()).splitlines()]
    check_vectors(name, rows, [first] + answers[:len(rows) - 1], expected, failures)

    unit = expected.astype(np.float64)
    unit /= np.linalg.norm(unit, axis=1)[:, None]
    for row, doc in zip(queries, [first_neighbors] + answers[len(rows) - 1:]):
        expected_top, scores = brute_force(unit, row)
        check_neighbors(f"{name}: neighbors of row {row}", doc["results"], scores, expected_top, index_of, failures)
    king = index_of["Ġking"]
    expected_top, scores = brute_force(unit, king)
    doc = json.loads(embtool.run(path, "--json", "neighbors", " king", "--k", str(K)))
    if doc.get("id") != king:
        failures.append(f"{name}: neighbors ' king' answered for row {doc.get('id')}, not Ġking's row {king}")
    if any(result_row(r, index_of) == king for r in doc["results"]):
        failures.append(f"{name}: neighbors ' king' lists Ġking itself")
    check_neighbors(f"{name}: neighbors ' king'", doc["results"], scores, expected_top, index_of, failures)
    return time.time() - started


def check_small_file(embtool, path, name, expected, failures):
    """Only rows, bit for bit, of a file of the other decoded types (fewer rows: quicker)."""
    rows = rows_to_check(name, len(expected), 30)
    check_info(embtool, path, name, len(expected), failures)
    check_every_row(embtool, path, name, expected, failures)
    lines = "".join(" ".join(embtool.row_args("vector", r)) + "\n" for r in rows)
    docs = [vector_document(line) for line in embtool.run(path, "--json", "batch", stdin=lines.encode()).splitlines()]
    check_vectors(name, rows, docs, expected, failures)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--embtool", required=True)
    ap.add_argument("--work", required=True, help="where the npm packages are fetched and kept")
    ap.add_argument("--shared", default=os.path.join(HERE, "..", "..", "..", "shared", "data"))
    ap.add_argument("--types", default=",".join(TYPES + SMALL_TYPES))
    ap.add_argument("--keep", help="a directory to keep the GGUF files in (for benchmarks), else they are removed")
    args = ap.parse_args()
    vocab = os.path.join(args.shared, "llm", "vocab", "ggml-vocab-gpt-2.gguf")
    if not os.path.exists(vocab):
        print(f"SKIP: {vocab} is absent (the GPT-2 vocabulary of ../shared/data/llm)")
        return SKIP
    work = os.path.abspath(args.work)
    gguf_py, library = fetch(work)
    sys.path.insert(0, gguf_py)
    import gguf  # noqa: E402  (fetched above)
    ggml = Ggml(library, gguf)
    embtool = Embtool(os.path.abspath(args.embtool))
    keys, kinds = gpt2_tokens(args.shared, gguf)
    if len(keys) != ROWS:
        print(f"FAIL the GPT-2 vocabulary has {len(keys)} tokens, expected {ROWS}")
        return 1
    matrix = trained_looking_matrix(ROWS, DIM)
    failures = []
    types = args.types.split(",")
    with tempfile.TemporaryDirectory(prefix="embtool-gguf-peer-", dir=work) as tmp:
        for name in types:
            started = time.time()
            small = name in SMALL_TYPES
            source = matrix[:SMALL_ROWS] if small else matrix
            data = ggml.encode(name, np.ascontiguousarray(source))
            expected = ggml.decode(name, data, len(source), DIM)
            path = os.path.join(tmp, f"gpt2-{name}.gguf")
            write_gguf(gguf, path, name, data, keys[:len(source)], kinds[:len(source)])
            written = time.time() - started
            before = len(failures)
            started = time.time()
            if small:
                check_small_file(embtool, path, name, expected, failures)
            else:
                check_file(embtool, path, name, expected, keys, failures)
            print(f"{name}: {len(source)} x {DIM}, {os.path.getsize(path)} bytes, written in {written:.1f} s, "
                  f"checked in {time.time() - started:.1f} s: {'ok' if len(failures) == before else 'FAILED'}")
            if args.keep:
                os.makedirs(args.keep, exist_ok=True)
                os.replace(path, os.path.join(args.keep, os.path.basename(path)))
            else:
                os.remove(path)
    for f in failures:
        print("FAIL", f)
    print(f"{len(types)} types, {len(failures)} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
