#!/usr/bin/python3
"""Writes the fuzz targets' named seeds (tests/fuzz/corpus/<target>/): small valid and
slightly broken files of each kind. Stores are made by `embtool convert`:

    /usr/bin/python3 tests/fuzz/make_seeds.py build/embtool

Beside them, scripts/fuzz-refresh-corpus.sh keeps the inputs fuzzing found that reach
further (named by the SHA-1 of their bytes); it keeps every named seed.
"""
import gzip
import os
import struct
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))


def f32(*values):
    return struct.pack(f"<{len(values)}f", *values)


def binary(words, dim, newline=True, header=None):
    out = (header or f"{len(words)} {dim}").encode() + b"\n"
    for w, v in words:
        out += w.encode() + b" " + f32(*v) + (b"\n" if newline else b"")
    return out


def text(words, dim, header=True, eol="\n", trailing=""):
    out = f"{len(words)} {dim}{eol}" if header else ""
    for w, v in words:
        out += w + " " + " ".join(repr(x) for x in v) + trailing + eol
    return out.encode()


WORDS = [("king", (0.5, 0.25, -1.0)), ("queen", (0.5, -0.25, 1.0)), ("man", (1e-3, 2.0, 3.5)),
         ("woman", (-0.0, 0.0, 1e30)), ("café", (1.0, 1.0, 1.0))]


def gguf_string(text):
    return struct.pack("<Q", len(text)) + text


def gguf_kv(key, kind, value):
    return gguf_string(key) + struct.pack("<I", kind) + value


def gguf_file(kvs, tensors, version=3, alignment=32):
    """GGUF bytes: metadata entries (encoded), tensors (name, ne, ggml type, data) placed one
    after the other at `alignment`."""
    infos, data = b"", b""
    for name, ne, kind, payload in tensors:
        data += b"\0" * (-len(data) % alignment)
        infos += gguf_string(name) + struct.pack("<I", len(ne)) + struct.pack(f"<{len(ne)}Q", *ne)
        infos += struct.pack("<IQ", kind, len(data))
        data += payload
    out = b"GGUF" + struct.pack("<IQQ", version, len(tensors), len(kvs)) + b"".join(kvs) + infos
    if tensors:
        out += b"\0" * (-len(out) % alignment)
    return out + data


def gguf_seeds():
    tokens = [b"\xc4\xa0king", b"\xc4\xa0queen", b"king", b"<|endoftext|>"]
    vocab = [gguf_kv(b"general.architecture", 8, gguf_string(b"gpt2")),
             gguf_kv(b"gpt2.context_length", 4, struct.pack("<I", 1024)),
             gguf_kv(b"tokenizer.ggml.model", 8, gguf_string(b"gpt2")),
             gguf_kv(b"tokenizer.ggml.tokens", 9, struct.pack("<IQ", 8, len(tokens)) + b"".join(map(gguf_string, tokens))),
             gguf_kv(b"tokenizer.ggml.token_type", 9, struct.pack("<IQ", 5, 4) + struct.pack("<4i", 1, 1, 1, 3))]
    rows = f32(*[0.25 * (i % 7) - 0.5 for i in range(4 * 8)])
    half = struct.pack("<32e", *[0.25 * (i % 7) - 0.5 for i in range(32)])
    q8 = b"".join(struct.pack("<e", 0.5 + r) + bytes((i * 37 + r) % 256 for i in range(32)) for r in range(4))
    q4k = b"".join(struct.pack("<ee", 0.01, 0.002) + bytes((i * 13 + r) % 256 for i in range(140)) for r in range(4))
    q6k = b"".join(bytes((i * 29 + r) % 256 for i in range(208)) + struct.pack("<e", 0.01) for r in range(4))
    embd = b"token_embd.weight"
    seeds = [
        (0, "f32", gguf_file(vocab, [(embd, (8, 4), 0, rows)])),
        (0, "f32-v2", gguf_file(vocab, [(embd, (8, 4), 0, rows)], version=2)),
        (0, "f16", gguf_file(vocab, [(embd, (8, 4), 1, half)])),
        (0, "bf16", gguf_file(vocab, [(embd, (8, 4), 30, half)])),
        (0, "q8_0", gguf_file(vocab, [(embd, (32, 4), 8, q8)])),
        (2, "q4_k", gguf_file(vocab, [(embd, (256, 4), 12, q4k)])),
        (2, "q6_k", gguf_file(vocab, [(embd, (256, 4), 14, q6k)])),
        (16, "output", gguf_file(vocab, [(embd, (8, 4), 0, rows), (b"output.weight", (8, 4), 0, rows[::-1])])),
        (4 | 32, "limit", gguf_file(vocab, [(embd, (8, 4), 0, rows)])),
        (0, "vocab-only", gguf_file(vocab, [])),
        (0, "no-tokens", gguf_file(vocab[:2], [(embd, (8, 4), 0, rows)])),
        (0, "alignment-1", gguf_file(vocab + [gguf_kv(b"general.alignment", 4, struct.pack("<I", 1))],
                                     [(embd, (8, 4), 0, rows)], alignment=1)),
        (0, "truncated", gguf_file(vocab, [(embd, (8, 4), 0, rows)])[:-40]),
        (0, "bad-type", gguf_file(vocab, [(embd, (8, 4), 99, rows)])),
    ]
    for selector, name, data in seeds:
        write("gguf", name, bytes([selector]) + data)


def safetensors(tensors, metadata='{"format":"pt"}', pad=0, json=None):
    """tensors: (name, dtype, shape, bytes) back to back; `json` replaces the header."""
    entries, data = [], b""
    for name, dtype, shape, raw in tensors:
        entries.append(f'"{name}":{{"dtype":"{dtype}","shape":{list(shape)},"data_offsets":[{len(data)},{len(data) + len(raw)}]}}')
        data += raw
    if json is None:
        json = "{" + ",".join(([f'"__metadata__":{metadata}'] if metadata else []) + entries) + "}" + " " * pad
    header = json.encode()
    return struct.pack("<Q", len(header)) + header + data


def bf16(*values):
    return b"".join(struct.pack("<f", v)[2:] for v in values)


def npy(descr, shape, data, major=1, fortran="False"):
    shape_text = "(" + ", ".join(str(n) for n in shape) + ("," if len(shape) == 1 else "") + ")"
    d = f"{{'descr': '{descr}', 'fortran_order': {fortran}, 'shape': {shape_text}, }}"
    length_bytes = 2 if major == 1 else 4
    total = 8 + length_bytes + len(d) + 1
    d += " " * ((64 - total % 64) % 64) + "\n"
    return b"\x93NUMPY" + bytes([major, 0]) + len(d).to_bytes(length_bytes, "little") + d.encode() + data


def tokenizer_seeds():
    import json
    byte_level = {
        "added_tokens": [{"id": 5, "content": "<|endoftext|>", "special": True, "lstrip": False, "rstrip": True}],
        "normalizer": {"type": "NFC"},
        "pre_tokenizer": {"type": "Sequence", "pretokenizers": [
            {"type": "Split", "pattern": {"Regex": "\\p{N}{1,3}| ?\\p{L}+|\\s+"}, "behavior": "Isolated", "invert": False},
            {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": False}]},
        "post_processor": {"type": "TemplateProcessing", "single": [{"SpecialToken": {"id": "<|endoftext|>", "type_id": 0}},
                                                                   {"Sequence": {"id": "A", "type_id": 0}}],
                           "special_tokens": {"<|endoftext|>": {"id": "<|endoftext|>", "ids": [5]}}},
        "decoder": {"type": "ByteLevel"},
        "model": {"type": "BPE", "vocab": {"H": 0, "e": 1, "l": 2, "o": 3, "He": 4, "<|endoftext|>": 5, "ll": 6, "Ġ": 7},
                  "merges": ["H e", ["l", "l"]], "ignore_merges": True}}
    write("tokenizer_json", "byte-level", json.dumps(byte_level).encode())
    wordpiece = {
        "normalizer": {"type": "BertNormalizer", "clean_text": True, "handle_chinese_chars": True, "strip_accents": None, "lowercase": True},
        "pre_tokenizer": {"type": "BertPreTokenizer"},
        "post_processor": {"type": "BertProcessing", "sep": ["[SEP]", 2], "cls": ["[CLS]", 1]},
        "decoder": {"type": "WordPiece", "prefix": "##", "cleanup": True},
        "model": {"type": "WordPiece", "unk_token": "[UNK]", "continuing_subword_prefix": "##", "max_input_chars_per_word": 100,
                  "vocab": {"[UNK]": 0, "[CLS]": 1, "[SEP]": 2, "hello": 3, "##o": 4, "world": 5}}}
    write("tokenizer_json", "wordpiece", json.dumps(wordpiece).encode())
    llama2 = {
        "normalizer": {"type": "Sequence", "normalizers": [{"type": "Prepend", "prepend": "\u2581"},
                                                          {"type": "Replace", "pattern": {"String": " "}, "content": "\u2581"}]},
        "pre_tokenizer": None,
        "decoder": {"type": "Sequence", "decoders": [{"type": "Replace", "pattern": {"String": "\u2581"}, "content": " "},
                                                     {"type": "ByteFallback"}, {"type": "Fuse"}, {"type": "Strip", "content": " ", "start": 1, "stop": 0}]},
        "model": {"type": "BPE", "byte_fallback": True, "fuse_unk": True, "unk_token": "<unk>",
                  "vocab": {"<unk>": 0, "<0x41>": 1, "\u2581": 2, "a": 3, "\u2581a": 4}, "merges": ["\u2581 a"]}}
    write("tokenizer_json", "llama2-style", json.dumps(llama2).encode())
    metaspace = dict(llama2, normalizer=None, pre_tokenizer={"type": "Metaspace", "replacement": "\u2581", "prepend_scheme": "first", "split": True})
    write("tokenizer_json", "metaspace", json.dumps(metaspace).encode())
    write("tokenizer_json", "broken", json.dumps(byte_level).encode()[:-40])
    for selector, name, text in [(0, "plain", "Hello world, it's 2024!"), (1, "special", "<|endoftext|>the<user>  x"),
                                 (2, "unicode", "caf\u00e9 \u4e2d\u6587 \U0001F999 \u0130stanbul"),
                                 (4, "spaces", "\n \n\n\t  a   "), (8, "digits", "1234567 12 3.14"),
                                 (12, "nul", "a\0b"), (16, "llama3", "I'M don't 'S"), (20, "invalid", None)]:
        data = text.encode("utf-8") if text is not None else b"ab\xff\xfe"
        write("tokenize", name, bytes([selector]) + data)


def write(target, name, data):
    d = os.path.join(HERE, "corpus", target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def main():
    embtool = sys.argv[1] if len(sys.argv) > 1 else "build/embtool"
    good_bin = binary(WORDS, 3)
    for selector, name, data in [
        (0, "good", good_bin), (1, "forced", good_bin), (0, "no-newlines", binary(WORDS, 3, newline=False)),
        (2, "nan-allowed", binary(WORDS[:2] + [("nan", (float("nan"), 1, 2))], 3)),
        (4 | 32, "limit", good_bin), (8, "strict-dup", binary(WORDS + WORDS[:1], 3)),
        (0, "truncated", good_bin[:-7]), (0, "short-count", binary(WORDS, 3, header="9 3")),
        (0, "long-word", binary([("w" * 300, (1, 2, 3))], 3))]:
        write("word2vec_binary", name, bytes([selector]) + data)
    good_text = text(WORDS, 3)
    for selector, name, data in [
        (0, "good", good_text), (1, "forced", good_text), (0, "crlf", text(WORDS, 3, eol="\r\n")),
        (8, "trailing", text(WORDS, 3, trailing=" \t")), (0, "ragged", b"2 3\na 1 2 3\nb 1 2\n"),
        (2, "inf", b"1 2\na inf -inf\n"), (0, "count-small", b"1 2\na 1 2\nb 3 4\n"),
        (4, "limit", good_text)]:
        write("word2vec_text", name, bytes([selector]) + data)
    for selector, name, data in [(0, "good", text(WORDS, 3, header=False)), (1, "forced", text(WORDS, 3, header=False)),
                                 (0, "ragged", b"a 1 2\nb 1\n"), (0, "one-dim", b"a 1\nb 2\n")]:
        write("glove", name, bytes([selector]) + data)
    for selector, name, data in [(1, "compressed-bin", good_bin), (3, "compressed-text", good_text),
                                 (0, "raw-gzip", gzip.compress(good_bin)[2:]),
                                 (0, "raw-truncated", gzip.compress(good_text)[2:-6])]:
        write("gzip", name, bytes([selector]) + data)
    with tempfile.TemporaryDirectory() as tmp:
        source = os.path.join(tmp, "m.txt")
        with open(source, "wb") as f:
            f.write(text(WORDS[:3], 3))
        for name, dtypes in [("plain.emb", []), ("f16-i8.emb", ["--dtype", "f16,i8"])]:
            out = os.path.join(tmp, name)
            subprocess.run([embtool, "convert", source, out, *dtypes], check=True)
            with open(out, "rb") as f:
                write("store", name, f.read())
    write("batch", "mixed", b"neighbors king --k 2\nsimilar king queen\n# c\n\ndistance man woman\n"
                            b"analogy king woman man --method mul\nvector --id 2\ndoesnt-match king queen cat\n"
                            b"neighbors \"king - man + 2*woman\" --k 3\nneighbors -- -\nfrobnicate\n")
    rows = f32(*[v for _, vs in WORDS[:3] for v in vs])
    for selector, name, data in [
        (0, "f32", safetensors([("wpe.weight", "F32", (2, 2), f32(1, 2, 3, 4)), ("wte.weight", "F32", (3, 3), rows)])),
        (0, "bf16-odd", safetensors([("model.embed_tokens.weight", "BF16", (2, 3), bf16(1, -2, 0.5, 3, 4, 5))], pad=1)),
        (16, "tied-equal", safetensors([("wte.weight", "F16", (1, 2), b"\x00\x3c\x00\x40"),
                                        ("lm_head.weight", "F16", (1, 2), b"\x00\x3c\x00\x40")], metadata="")),
        (2, "nan", safetensors([("wte.weight", "BF16", (2, 2), bf16(1, 2, float("nan"), 4))])),
        (4 | 32, "limit", safetensors([("shared.weight", "F32", (3, 3), rows)])),
        (0, "overlap", safetensors([], json='{"wte.weight":{"dtype":"F32","shape":[1,2],"data_offsets":[0,8]},'
                                             '"b":{"dtype":"F32","shape":[1,2],"data_offsets":[4,12]}}') + rows),
        (0, "not-json", safetensors([], json="{wte.weight") + rows)]:
        write("safetensors", name, bytes([selector]) + data)
    values = (0.5, -1.0, 2.0, 0.25, 3.0, -0.125)
    for selector, name, data in [
        (0, "f4-v1", npy("<f4", (3, 2), f32(*values))), (0, "f2-v2", npy("<f2", (2, 3), struct.pack("<6e", *values), 2)),
        (4 | 32, "f8-v3", npy("<f8", (3, 2), struct.pack("<6d", *values), 3)),
        (2, "nan", npy("<f4", (1, 2), f32(float("nan"), 1))), (0, "lying-shape", npy("<f4", (4, 2), f32(*values))),
        (0, "fortran", npy("<f4", (3, 2), f32(*values), fortran="True")), (0, "vector", npy("<f4", (6,), f32(*values)))]:
        write("npy", name, bytes([selector]) + data)
    gguf_seeds()
    tokenizer_seeds()
    write("expression", "simple", b"king - man + woman")
    write("expression", "weights", b"2*king + -0.5*queen - 1e3*man")


if __name__ == "__main__":
    main()
