#!/usr/bin/python3
"""Hostile and tricky vector files, run through `embtool info` and `embtool neighbors`.

Every file that must be refused gets an exit code from 1 to 125, exactly one line on stderr
that names the file, empty stdout, within 10 s. Every file that must load reports the right
word count and dimension (and, where it says so, a warning; with --strict, a refusal).

    hostile_test.py --embtool build/embtool
"""
import argparse
import gzip
import json
import os
import struct
import subprocess
import sys
import tempfile
import time


def f32(*values):
    return struct.pack(f"<{len(values)}f", *values)


def record(word, *values, newline=True):
    return word + b" " + f32(*values) + (b"\n" if newline else b"")


GOOD_BIN = b"3 2\n" + record(b"a", 1, 2) + record(b"b", 3, 4) + record(b"c", 5, 6)


def safetensors_raw(header, data=f32(1, 2, 3, 4, 5, 6)):
    """The 8-byte length, the header as given, the data."""
    return struct.pack("<Q", len(header)) + header + data


def tensor(name, dtype, shape, offsets):
    return b'"%s":{"dtype":"%s","shape":%s,"data_offsets":%s}' % (
        name.encode(), dtype.encode(), json.dumps(shape).encode(), json.dumps(offsets).encode())


def st(*entries, data=f32(1, 2, 3, 4, 5, 6)):
    return safetensors_raw(b"{" + b",".join(entries) + b"}", data)


def npy(descr, shape, data, fortran="False", major=1):
    d = "{'descr': '%s', 'fortran_order': %s, 'shape': %s, }" % (descr, fortran, shape)
    length_bytes = 2 if major == 1 else 4
    d += " " * ((64 - (8 + length_bytes + len(d) + 1) % 64) % 64) + "\n"
    return b"\x93NUMPY" + bytes([major, 0]) + len(d).to_bytes(length_bytes, "little") + d.encode() + data


def gguf_string(text):
    return struct.pack("<Q", len(text)) + text


def gguf(kvs=b"", n_kv=0, tensors=(), version=3, n_tensors=None, data=b""):
    """A GGUF file: the header, `kvs` (n_kv entries, already encoded), tensor infos (name, ne,
    ggml type, offset) and `data` after the infos padded to 32 bytes."""
    infos = b"".join(gguf_string(name) + struct.pack("<I", len(ne)) + struct.pack(f"<{len(ne)}Q", *ne) +
                     struct.pack("<IQ", kind, offset) for name, ne, kind, offset in tensors)
    out = b"GGUF" + struct.pack("<IQQ", version, len(tensors) if n_tensors is None else n_tensors, n_kv) + kvs + infos
    if tensors:
        out += b"\0" * (-len(out) % 32)
    return out + data


def gguf_tokens(*tokens):
    return (gguf_string(b"tokenizer.ggml.tokens") + struct.pack("<IIQ", 9, 8, len(tokens)) +
            b"".join(gguf_string(t) for t in tokens))


GGUF_TOKENS = gguf_tokens(b"a", b"b")
GGUF_ROWS = f32(1, 2, 3, 4)

# (name, bytes, expectation): "refuse", or (words, dim), or (words, dim, "warn") when a warning
# is due (and --strict must refuse), each with an optional piece of the message to look for.
CASES = [
    # headers that lie
    ("huge-count.bin", b"4000000000 300\n" + record(b"a", *[1.0] * 300), ("refuse", "4000000000")),
    ("huge-dim.bin", b"3 2000000000\n" + record(b"a", 1, 2), ("refuse", "2000000000")),
    ("huge-both.txt", b"4000000000 2000000000\na 1 2\n", ("refuse", "2000000000")),
    ("negative-count.txt", b"-3 2\na 1 2\n", ("refuse", "-3")),
    ("overflowing-count.txt", b"99999999999999999999999 2\na 1 2\n", ("refuse", "99999999999999999999999")),
    ("zero-dim.txt", b"3 0\na\nb\nc\n", ("refuse", "dimension 0")),
    ("zero-count.bin", b"0 2\n", ("refuse", "0 words")),
    ("count-larger.txt", b"5 2\na 1 2\nb 3 4\nc 5 6\n", ("refuse", "5 words")),
    # truncation
    ("cut-in-vector.bin", GOOD_BIN[:20], ("refuse", "inside the vector of word 2")),
    ("cut-in-word.bin", GOOD_BIN[:len(b"3 2\n") + 12], ("refuse", "inside word 2")),
    ("cut-after-word.bin", GOOD_BIN[:len(b"3 2\n") + 11], ("refuse", "after word 1")),
    ("cut-after-header.bin", b"3 2\n", ("refuse", "no word follows")),
    ("cut-gzip.bin.gz", gzip.compress(b"1000 2\n" + b"".join(record(b"w%d" % i, i, i) for i in range(1000)))[:-40],
     ("refuse", "gzip")),
    ("cut-text-line.txt", b"3 2\na 1 2\nb 3 4\nc 5", ("refuse", "line 4")),
    ("no-space-before-eof.bin", b"2 2\n" + record(b"a", 1, 2) + b"bword", ("refuse", "word 2")),
    ("empty.bin", b"", ("refuse", "empty")),
    # malformed contents
    ("ragged-short.txt", b"3 2\na 1 2\nb 3\nc 5 6\n", ("refuse", "line 3")),
    ("ragged-long.txt", b"3 2\na 1 2\nb 3 4 5\nc 5 6\n", ("refuse", "line 3")),
    ("ragged.glove", b"a 1 2\nb 3 4 5\n", ("refuse", "line 2")),
    ("not-a-number.txt", b"3 2\na 1 2\nb x 4\nc 5 6\n", ("refuse", "'x'")),
    ("nan.txt", b"3 2\na 1 2\nb nan 4\nc 5 6\n", ("refuse", "line 3")),
    ("inf.bin", b"2 2\n" + record(b"a", 1, float("inf")) + record(b"b", 3, 4), ("refuse", "'a'")),
    ("empty-word.txt", b"3 2\na 1 2\n 3 4\nc 5 6\n", ("refuse", "empty word")),
    ("empty-word.bin", b"2 2\n" + record(b"a", 1, 2) + b" " + f32(3, 4) + b"\n", ("refuse", "empty word")),
    ("random.bin", bytes((i * 7919 + 13) % 251 for i in range(5000)), ("refuse", None)),
    ("zeros.bin", b"\0" * 5000, ("refuse", None)),
    ("utf16.txt", "3 2\na 1 2\nb 3 4\nc 5 6\n".encode("utf-16"), ("refuse", "UTF-16")),
    ("text-forced-binary.txt", b"3 2\na 1 2\nb 3 4\nc 5 6\n", ("refuse", "text", ["--format", "word2vec-binary"])),
    ("binary-forced-text.bin", GOOD_BIN, ("refuse", "binary", ["--format", "word2vec-text"])),
    # safetensors headers that lie, and tensors that are no embedding embtool reads
    ("st-header-beyond.safetensors", struct.pack("<Q", 1000) + b"{}", ("refuse", "beyond the end of the file")),
    ("st-header-huge.safetensors", struct.pack("<Q", 2**63) + b"{}", ("refuse", "beyond the end of the file")),
    ("st-not-json.safetensors", safetensors_raw(b'{"wte.weight": nonsense'), ("refuse", "not JSON")),
    ("st-not-object.safetensors", safetensors_raw(b'["wte.weight"]'), ("refuse", "not an object")),
    ("st-out-of-bounds.safetensors", st(tensor("wte.weight", "F32", [3, 2], [0, 2400])), ("refuse", "out of bounds")),
    ("st-reversed.safetensors", st(tensor("wte.weight", "F32", [3, 2], [24, 0])), ("refuse", "reversed")),
    ("st-overlap.safetensors", st(tensor("a", "F32", [2, 2], [0, 16]), tensor("wte.weight", "F32", [2, 2], [8, 24])),
     ("refuse", "overlap")),
    ("st-size.safetensors", st(tensor("wte.weight", "F32", [3, 3], [0, 24])), ("refuse", "[3, 3] x F32")),
    ("st-overflow.safetensors", st(tensor("wte.weight", "F32", [2**62, 2**62], [0, 24])), ("refuse", "2^64")),
    ("st-int8.safetensors", st(tensor("wte.weight", "I8", [4, 6], [0, 24])), ("refuse", "I8")),
    ("st-3d.safetensors", st(tensor("wte.weight", "F32", [1, 3, 2], [0, 24])), ("refuse", "not a matrix")),
    ("st-no-embedding.safetensors", st(tensor("h.0.weight", "F32", [3, 2], [0, 24])), ("refuse", "h.0.weight")),
    ("st-nan.safetensors", st(tensor("wte.weight", "F32", [3, 2], [0, 24]), data=f32(1, 2, 3, float("nan"), 5, 6)),
     ("refuse", "token id 1")),
    ("st-short.safetensors", b"\x05\x00", ("refuse", "too short")),
    # .npy headers that lie
    ("npy-lying-shape.npy", npy("<f4", "(4, 2)", f32(1, 2, 3, 4, 5, 6)), ("refuse", "needs 32 bytes")),
    ("npy-huge-shape.npy", npy("<f4", "(4000000, 1000000)", f32(1, 2, 3, 4, 5, 6)), ("refuse", "needs")),
    ("npy-fortran.npy", npy("<f4", "(3, 2)", f32(1, 2, 3, 4, 5, 6), fortran="True"), ("refuse", "Fortran")),
    ("npy-int.npy", npy("<i4", "(3, 2)", f32(1, 2, 3, 4, 5, 6)), ("refuse", "'<i4'")),
    ("npy-big-endian.npy", npy(">f4", "(3, 2)", f32(1, 2, 3, 4, 5, 6)), ("refuse", "big-endian")),
    ("npy-vector.npy", npy("<f4", "(6,)", f32(1, 2, 3, 4, 5, 6)), ("refuse", "not a matrix")),
    ("npy-header-beyond.npy", b"\x93NUMPY\x01\x00\xff\xff{'descr'", ("refuse", "beyond the end")),
    ("npy-bad-dict.npy", npy("<f4", "(3, 2)", f32(1, 2, 3, 4, 5, 6)).replace(b"'shape'", b"'shapE'"), ("refuse", "'shapE'")),
    # GGUF (llama.cpp): counts, strings, types and tensors that lie
    ("bad-magic.gguf", b"GGUX" + bytes(40), ("refuse", None)),
    ("version-1.gguf", gguf(version=1), ("refuse", "GGUF version 1")),
    ("big-endian.gguf", gguf(version=0x03000000), ("refuse", "big-endian")),
    ("absurd-tensor-count.gguf", gguf(GGUF_TOKENS, 1, n_tensors=1 << 60), ("refuse", "1152921504606846976 tensors")),
    ("absurd-kv-count.gguf", gguf(GGUF_TOKENS, 1 << 62), ("refuse", "4611686018427387904 metadata entries")),
    ("string-past-end.gguf", gguf(gguf_string(b"general.name") + struct.pack("<IQ", 8, 1 << 50) + b"x" * 16, 1),
     ("refuse", "a string of 1125899906842624 bytes, longer than the")),
    ("unknown-value-type.gguf", gguf(gguf_string(b"x") + struct.pack("<I", 77) + bytes(16), 1),
     ("refuse", "unknown value type 77")),
    ("unknown-tensor-type.gguf", gguf(GGUF_TOKENS, 1, [(b"token_embd.weight", (2, 2), 99, 0)], data=GGUF_ROWS),
     ("refuse", "unknown tensor type 99")),
    ("tensor-past-end.gguf", gguf(GGUF_TOKENS, 1, [(b"token_embd.weight", (2, 2000), 0, 0)], data=GGUF_ROWS),
     ("refuse", "past the end of the file")),
    ("misaligned-tensor.gguf", gguf(GGUF_TOKENS, 1, [(b"token_embd.weight", (2, 2), 0, 4)], data=bytes(4) + GGUF_ROWS),
     ("refuse", "not a multiple of the alignment 32")),
    ("overlapping-tensors.gguf", gguf(GGUF_TOKENS, 1, [(b"token_embd.weight", (2, 2), 0, 0), (b"b", (4, 2), 0, 0)],
                                      data=GGUF_ROWS * 2), ("refuse", "overlap")),
    ("ne-overflow.gguf", gguf(GGUF_TOKENS, 1, [(b"token_embd.weight", (1 << 40, 1 << 40), 0, 0)], data=GGUF_ROWS),
     ("refuse", "overflows")),
    ("gguf-nan.gguf", gguf(GGUF_TOKENS, 1, [(b"token_embd.weight", (2, 2), 0, 0)], data=f32(1, 2, float("nan"), 4)),
     ("refuse", "token id 1")),
    ("gguf-fewer-rows.gguf", gguf(gguf_tokens(b"a", b"b", b"c"), 1, [(b"token_embd.weight", (2, 2), 0, 0)],
                                  data=GGUF_ROWS), ("refuse", "has 2 rows")),
    ("gguf-truncated.gguf", gguf(GGUF_TOKENS, 1, [(b"token_embd.weight", (2, 2), 0, 0)], data=GGUF_ROWS)[:70],
     ("refuse", None)),
    # accepted, some with a warning
    ("good.safetensors", st(b'"__metadata__":{"format":"pt"}', tensor("wte.weight", "F32", [3, 2], [0, 24])), (3, 2)),
    ("good-bf16.safetensors", st(tensor("model.embed_tokens.weight", "BF16", [3, 2], [0, 12]), data=b"\x80\x3f" * 6),
     (3, 2)),
    ("good-v3.npy", npy("<f4", "(3, 2)", f32(1, 2, 3, 4, 5, 6), major=3), (3, 2)),
    ("good-f8.npy", npy("<f8", "(3, 2)", struct.pack("<6d", 1, 2, 3, 4, 5, 6)), (3, 2, "warn", "float64")),
    ("good.bin", GOOD_BIN, (3, 2)),
    ("good.glove", b"a 1 2\nb 3 4\nc 5 6\n", (3, 2)),
    ("good.gguf", gguf(GGUF_TOKENS, 1, [(b"token_embd.weight", (2, 2), 0, 0)], data=GGUF_ROWS), (2, 2)),
    ("binary-named-txt.txt", GOOD_BIN, (3, 2)),
    ("one-word.bin", b"1 1\n" + record(b"x", 0.5), (1, 1)),
    ("dim-10000.txt", b"2 10000\na " + b" ".join([b"0.5"] * 10000) + b"\nb " + b" ".join([b"0.25"] * 10000) + b"\n",
     (2, 10000)),
    ("100kb-word.bin", b"2 2\n" + record(b"w" * 100000, 1, 2) + record(b"b", 3, 4), (2, 2)),
    ("word2vec-c-text.txt", b"2 2\na 1 2 \nb 3 4 \n", (2, 2)),  # one trailing space: the C tool's way
    ("duplicates.txt", b"3 2\na 1 2\na 3 4\nc 5 6\n", (2, 2, "warn", "duplicate")),
    ("crlf.txt", b"3 2\r\na 1 2\r\nb 3 4\r\nc 5 6\r\n", (3, 2, "warn", "CR LF")),
    ("trailing-blanks.txt", b"3 2\na 1 2\t\nb 3 4  \nc 5 6\n", (3, 2, "warn", "blanks")),
    ("count-smaller.txt", b"2 2\na 1 2\nb 3 4\nc 5 6\n", (2, 2, "warn", "after the 2 words")),
    ("trailing-crlf.bin", GOOD_BIN + b"\r\n", (3, 2, "warn", "after the 3 words")),
]


def run(embtool, args, timeout=10):
    start = time.time()
    try:
        p = subprocess.run([embtool, *args], capture_output=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return None, b"", b"", timeout
    return p.returncode, p.stdout, p.stderr, time.time() - start


def check_case(embtool, path, name, expectation):
    failures = []
    extra = list(expectation[2]) if expectation[0] == "refuse" and len(expectation) > 2 else []
    for command in (["info", "--json"], ["neighbors", "a", "--k", "2"]):
        rc, out, err, seconds = run(embtool, ["-m", path, *extra, *command])
        what = f"{name}: embtool {' '.join(extra + command)}"
        if rc is None:
            failures.append(f"{what}: no answer within 10 s")
            continue
        err_lines = err.decode("utf-8", "replace").strip().splitlines()
        if expectation[0] == "refuse":
            if not 1 <= rc <= 125 or out or len(err_lines) != 1 or os.path.basename(path) not in err_lines[0]:
                failures.append(f"{what}: expected a refusal (exit 1-125, one line naming the file, no stdout); "
                                f"got exit {rc}, stdout {out[:100]!r}, stderr {err_lines!r}")
            elif expectation[1] and expectation[1] not in err_lines[0]:
                failures.append(f"{what}: the message does not say {expectation[1]!r}: {err_lines[0]!r}")
            continue
        words, dim = expectation[0], expectation[1]
        if command[0] == "info":
            if rc != 0:
                failures.append(f"{what}: exit {rc}: {err_lines!r}")
                continue
            doc = json.loads(out)
            rows = doc["words"] if "words" in doc else doc.get("rows")  # token models say rows
            if (rows, doc["dim"]) != (words, dim):
                failures.append(f"{what}: {rows} x {doc['dim']}, expected {words} x {dim}")
            warned = any("warning" in line for line in err_lines)
            if len(expectation) > 2 and not (warned and any(expectation[3] in line for line in err_lines)):
                failures.append(f"{what}: expected a warning about {expectation[3]!r}, stderr {err_lines!r}")
            if len(expectation) == 2 and warned:
                failures.append(f"{what}: unexpected warning {err_lines!r}")
    if expectation[0] != "refuse" and len(expectation) > 2:
        rc, out, err, _ = run(embtool, ["-m", path, "--strict", "info"])
        if rc != 4 or out or "--strict" not in err.decode():
            failures.append(f"{name}: --strict should refuse it (exit 4), got exit {rc}, stderr {err[:200]!r}")
    return failures


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--embtool", required=True)
    args = ap.parse_args()
    embtool = os.path.abspath(args.embtool)
    failures = []
    with tempfile.TemporaryDirectory(prefix="embtool-hostile-") as tmp:
        for name, data, expectation in CASES:
            path = os.path.join(tmp, name)
            with open(path, "wb") as f:
                f.write(data)
            failures += check_case(embtool, path, name, expectation)
    for f in failures:
        print("FAIL", f)
    print(f"{len(CASES)} files, {len(failures)} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
