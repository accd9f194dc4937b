#!/usr/bin/python3
"""Peer test: every tokenizer test vocabulary of llama.cpp (models/ggml-vocab-*.gguf with .inp and
.out: gpt-2, llama-bpe, qwen2, qwen35, command-r, deepseek-coder, deepseek-llm, falcon, gemma-4,
mpt, phi-3, refact, starcoder, llama-spm, bert-bge, ...) gives exactly llama.cpp's ids for every
case. llama.cpp comes from npm (node-llama-cpp@3.21.1 holds it as a git bundle), fetched into the
build tree once; the cases run in-process in the unit-test binary.

    llama_cpp_vocabs_test.py --tests build/tests/embtool_tests --workdir DIR
Exit 77 (skipped) when npm or the bundle cannot be had.
"""
import argparse
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gguf_peer_test import NODE_LLAMA_CPP, extract_member, npm_pack  # noqa: E402

SKIP = 77


def models_dir(workdir):
    os.makedirs(workdir, exist_ok=True)
    bundle = extract_member(npm_pack(NODE_LLAMA_CPP, workdir), "package/llama/gitRelease.bundle", workdir)
    clone = os.path.join(workdir, "llama.cpp-vocabs")
    models = os.path.join(clone, "models")
    if not os.path.exists(os.path.join(models, "ggml-vocab-gpt-2.gguf.inp")):
        subprocess.run(["rm", "-rf", clone], check=True)
        subprocess.run(["git", "clone", "-q", "--no-checkout", bundle, clone], check=True, timeout=300)
        subprocess.run(["git", "-C", clone, "checkout", "-q", "HEAD", "--", "models"], check=True, timeout=300)
    return models


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tests", required=True)
    ap.add_argument("--workdir", required=True)
    args = ap.parse_args()
    try:
        models = models_dir(args.workdir)
    except (RuntimeError, OSError, subprocess.SubprocessError) as e:
        print(f"skipped: llama.cpp's vocabularies are not available: {e}")
        return SKIP
    vocabs = sorted(f for f in os.listdir(models) if f.startswith("ggml-vocab-") and f.endswith(".gguf.inp"))
    print(f"{len(vocabs)} vocabularies with cases in {models}")
    env = dict(os.environ, EMBTOOL_LLAMA_CPP_MODELS=models)
    return subprocess.run([args.tests, "every llama.cpp test vocabulary gives llama.cpp's ids"], env=env).returncode


if __name__ == "__main__":
    sys.exit(main())
